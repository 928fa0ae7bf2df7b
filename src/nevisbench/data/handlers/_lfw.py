"""What LFW and LFW-a share: the people with at least five images, and the reference's split of
each person's images."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")

MIN_IMAGES = 5

# The people (folder names) with at least MIN_IMAGES images in lfw.tgz: 423 people, 5,985 images
# (the counts the reference asserts), sorted; both datasets' label order.
PEOPLE = (
    "Abdullah_Gul", "Adrien_Brody", "Ahmed_Chalabi", "Ai_Sugiyama", "Al_Gore", "Al_Sharpton",
    "Alan_Greenspan", "Alastair_Campbell", "Albert_Costa", "Alejandro_Toledo", "Ali_Naimi",
    "Allyson_Felix", "Alvaro_Uribe", "Amelia_Vega", "Amelie_Mauresmo", "Ana_Guevara", "Ana_Palacio",
    "Andre_Agassi", "Andy_Roddick", "Angela_Bassett", "Angela_Merkel", "Angelina_Jolie",
    "Ann_Veneman", "Anna_Kournikova", "Antonio_Banderas", "Antonio_Palocci", "Ari_Fleischer",
    "Ariel_Sharon", "Arminio_Fraga", "Arnold_Schwarzenegger", "Arnoldo_Aleman", "Ashanti",
    "Atal_Bihari_Vajpayee", "Ben_Affleck", "Benazir_Bhutto", "Benjamin_Netanyahu", "Bernard_Law",
    "Bertie_Ahern", "Bill_Clinton", "Bill_Frist", "Bill_Gates", "Bill_Graham", "Bill_McBride",
    "Bill_Simon", "Billy_Crystal", "Binyamin_Ben-Eliezer", "Bob_Graham", "Bob_Hope", "Bob_Stoops",
    "Boris_Becker", "Brad_Johnson", "Britney_Spears", "Bulent_Ecevit", "Calista_Flockhart",
    "Cameron_Diaz", "Carla_Del_Ponte", "Carlos_Menem", "Carlos_Moya", "Carmen_Electra",
    "Carrie-Anne_Moss", "Catherine_Deneuve", "Catherine_Zeta-Jones", "Celine_Dion", "Cesar_Gaviria",
    "Chanda_Rubin", "Charles_Moose", "Charles_Taylor", "Charlton_Heston", "Chen_Shui-bian",
    "Choi_Sung-hong", "Christine_Baumgartner", "Christine_Todd_Whitman", "Ciro_Gomes",
    "Clara_Harris", "Claudia_Pechstein", "Clay_Aiken", "Clint_Eastwood", "Colin_Farrell",
    "Colin_Montgomerie", "Colin_Powell", "Condoleezza_Rice", "Costas_Simitis", "Cruz_Bustamante",
    "David_Anderson", "David_Beckham", "David_Heymann", "David_Nalbandian", "David_Trimble",
    "David_Wells", "Dennis_Hastert", "Dennis_Kucinich", "Denzel_Washington", "Diana_Krall",
    "Dick_Cheney", "Dominique_de_Villepin", "Donald_Rumsfeld", "Edmund_Stoiber",
    "Eduard_Shevardnadze", "Eduardo_Duhalde", "Edward_Lu", "Elizabeth_Hurley", "Elizabeth_Smart",
    "Elsa_Zylberstein", "Elton_John", "Emanuel_Ginobili", "Emma_Watson", "Enrique_Bolanos",
    "Erika_Harold", "Fernando_Gonzalez", "Fernando_Henrique_Cardoso", "Fidel_Castro",
    "Frank_Solich", "Fujio_Cho", "Gene_Robinson", "Geoff_Hoon", "George_Clooney", "George_HW_Bush",
    "George_Lopez", "George_Pataki", "George_Robertson", "George_W_Bush", "Gerhard_Schroeder",
    "Gerry_Adams", "Gil_de_Ferran", "Gloria_Macapagal_Arroyo", "Goldie_Hawn",
    "Gonzalo_Sanchez_de_Lozada", "Gordon_Brown", "Grant_Hackett", "Gray_Davis", "Gregg_Popovich",
    "Guillermo_Coria", "Gunter_Pleuger", "Gwyneth_Paltrow", "Habib_Rizieq", "Hal_Gehman",
    "Halle_Berry", "Hamid_Karzai", "Hans_Blix", "Harrison_Ford", "Heidi_Klum", "Heizo_Takenaka",
    "Hillary_Clinton", "Hitomi_Soga", "Holly_Hunter", "Hosni_Mubarak", "Howard_Dean", "Hu_Jintao",
    "Hugh_Grant", "Hugo_Chavez", "Ian_Thorpe", "Igor_Ivanov", "JK_Rowling", "Jack_Straw",
    "Jackie_Chan", "Jacques_Chirac", "Jacques_Rogge", "Jake_Gyllenhaal", "James_Blake",
    "James_Kelly", "James_Wolfensohn", "Jan_Ullrich", "Jason_Kidd", "Javier_Solana", "Jay_Garner",
    "Jean-David_Levitte", "Jean-Pierre_Raffarin", "Jean_Charest", "Jean_Chretien", "Jeb_Bush",
    "Jelena_Dokic", "Jennifer_Aniston", "Jennifer_Capriati", "Jennifer_Garner", "Jennifer_Lopez",
    "Jeong_Se-hyun", "Jeremy_Greenstock", "Jesse_Jackson", "Jiang_Zemin", "Jim_Furyk",
    "Jimmy_Carter", "Jiri_Novak", "Joan_Laporta", "Joe_Lieberman", "John_Abizaid",
    "John_Allen_Muhammad", "John_Ashcroft", "John_Bolton", "John_Edwards", "John_Howard",
    "John_Kerry", "John_Manley", "John_McCain", "John_Negroponte", "John_Paul_II", "John_Snow",
    "John_Stockton", "John_Travolta", "Jon_Gruden", "Jonathan_Edwards", "Joschka_Fischer",
    "Jose_Manuel_Durao_Barroso", "Jose_Maria_Aznar", "Jose_Serra", "Joseph_Biden",
    "Juan_Carlos_Ferrero", "Juan_Pablo_Montoya", "Julianne_Moore", "Julie_Gerberding",
    "Junichiro_Koizumi", "Justin_Timberlake", "Justine_Pasek", "Kalpana_Chawla", "Kamal_Kharrazi",
    "Kate_Hudson", "Keanu_Reeves", "Kevin_Costner", "Kevin_Spacey", "Kim_Clijsters", "Kim_Dae-jung",
    "Kim_Ryong-sung", "King_Abdullah_II", "Kofi_Annan", "Kristanna_Loken", "Kurt_Warner",
    "Lance_Armstrong", "Lance_Bass", "Larry_Brown", "Laura_Bush", "LeBron_James",
    "Leonardo_DiCaprio", "Leonid_Kuchma", "Li_Peng", "Li_Zhaoxing", "Lindsay_Davenport",
    "Liza_Minnelli", "Lleyton_Hewitt", "Lucio_Gutierrez", "Lucy_Liu", "Ludivine_Sagnier",
    "Luis_Ernesto_Derbez_Bautista", "Luis_Gonzalez_Macchi", "Luis_Horna",
    "Luiz_Inacio_Lula_da_Silva", "Madonna", "Mahathir_Mohamad", "Mahmoud_Abbas", "Marcelo_Rios",
    "Marco_Antonio_Barrera", "Maria_Shriver", "Maria_Soledad_Alvear_Valenzuela", "Mariah_Carey",
    "Mark_Hurlbert", "Mark_Philippoussis", "Martha_Stewart", "Martin_McGuinness", "Martin_Scorsese",
    "Martina_McBride", "Matthew_Perry", "Megawati_Sukarnoputri", "Meryl_Streep",
    "Michael_Bloomberg", "Michael_Chang", "Michael_Chiklis", "Michael_Douglas", "Michael_Jackson",
    "Michael_Phelps", "Michael_Powell", "Michael_Schumacher", "Michelle_Kwan", "Michelle_Yeoh",
    "Mick_Jagger", "Mike_Krzyzewski", "Mike_Martz", "Mike_Myers", "Mike_Weir", "Mireya_Moscoso",
    "Mohamed_ElBaradei", "Mohammad_Khatami", "Mohammed_Al-Douri", "Monica_Seles", "Muhammad_Ali",
    "Muhammad_Saeed_al-Sahhaf", "Nadia_Petrova", "Naji_Sabri", "Nancy_Pelosi", "Naomi_Watts",
    "Natalie_Coughlin", "Natalie_Maines", "Nestor_Kirchner", "Nia_Vardalos",
    "Nicanor_Duarte_Frutos", "Nick_Nolte", "Nicole_Kidman", "Norah_Jones", "Norm_Coleman",
    "Oscar_De_La_Hoya", "Oswaldo_Paya", "Pamela_Anderson", "Paradorn_Srichaphan", "Paul_Bremer",
    "Paul_Burrell", "Paul_Martin", "Paul_McCartney", "Paul_ONeill", "Paul_Wolfowitz",
    "Paula_Radcliffe", "Pedro_Almodovar", "Pedro_Malan", "Pervez_Musharraf", "Pete_Sampras",
    "Peter_Struck", "Pierce_Brosnan", "Prince_Charles", "Princess_Caroline", "Queen_Elizabeth_II",
    "Queen_Rania", "Rainer_Schuettler", "Ralf_Schumacher", "Ray_Romano", "Recep_Tayyip_Erdogan",
    "Renee_Zellweger", "Ricardo_Lagos", "Ricardo_Sanchez", "Richard_Armitage", "Richard_Gephardt",
    "Richard_Gere", "Richard_Myers", "Richard_Virenque", "Rick_Perry", "Rob_Marshall",
    "Robert_Blake", "Robert_De_Niro", "Robert_Duvall", "Robert_Kocharian", "Robert_Mueller",
    "Robert_Redford", "Robert_Zoellick", "Roger_Federer", "Roger_Moore", "Roh_Moo-hyun",
    "Roman_Polanski", "Romano_Prodi", "Ron_Dittemore", "Roy_Moore", "Rubens_Barrichello",
    "Rudolph_Giuliani", "Russell_Simmons", "Saddam_Hussein", "Salma_Hayek", "Sarah_Hughes",
    "Sarah_Jessica_Parker", "Scott_McClellan", "Scott_Peterson", "Sean_OKeefe", "Serena_Williams",
    "Sergei_Ivanov", "Sergey_Lavrov", "Sergio_Vieira_De_Mello", "Sharon_Stone", "Sheryl_Crow",
    "Shimon_Peres", "Silvan_Shalom", "Silvio_Berlusconi", "Sophia_Loren", "Sourav_Ganguly",
    "Spencer_Abraham", "Steffi_Graf", "Steve_Lavin", "Steve_Nash", "Steven_Spielberg",
    "Susan_Sarandon", "Sylvester_Stallone", "Taha_Yassin_Ramadan", "Tang_Jiaxuan", "Tariq_Aziz",
    "Thabo_Mbeki", "Thaksin_Shinawatra", "Thomas_OBrien", "Tiger_Woods", "Tim_Henman",
    "Tim_Robbins", "Tom_Crean", "Tom_Cruise", "Tom_Daschle", "Tom_Hanks", "Tom_Harkin", "Tom_Ridge",
    "Tommy_Franks", "Tommy_Haas", "Tommy_Thompson", "Tony_Blair", "Tony_Stewart", "Trent_Lott",
    "Tung_Chee-hwa", "Vaclav_Havel", "Valentino_Rossi", "Valery_Giscard_dEstaing",
    "Vanessa_Redgrave", "Venus_Williams", "Vicente_Fernandez", "Vicente_Fox", "Victoria_Clarke",
    "Vincent_Brooks", "Vladimir_Putin", "Vojislav_Kostunica", "Walter_Mondale", "Wayne_Ferreira",
    "Wen_Jiabao", "William_Donaldson", "William_Ford_Jr", "William_Macy", "Winona_Ryder",
    "Woody_Allen", "Xanana_Gusmao", "Xavier_Malisse", "Yao_Ming", "Yashwant_Sinha", "Yasser_Arafat",
    "Yoko_Ono", "Yoriko_Kawaguchi", "Zhu_Rongji", "Zinedine_Zidane",
)  # fmt: skip


def split_person(images: Sequence[T]) -> dict[str, list[T]]:
    """The reference's split of one person's images (at least ``MIN_IMAGES``, in the dataset's
    order): the last two → test, the one before → dev_test, the one before that → dev, the rest →
    train."""
    n = len(images)
    return {
        "train": list(images[: n - 4]),
        "dev": list(images[n - 4 : n - 3]),
        "dev_test": list(images[n - 3 : n - 2]),
        "test": list(images[n - 2 :]),
    }
