"""AnimalWeb (Khan et al.): animal face images of 350 species and a few generic labels, labelled by the
species prefix of each file name."""

from __future__ import annotations

from pathlib import Path

from nevisbench.data.handlers._dedup import unique_by_pixels
from nevisbench.data.handlers._fixtures import image_members, write_rar
from nevisbench.data.handlers._layout import layout_error, list_files
from nevisbench.data.spec import Artefact, DatasetSpec, Example, extracted_dir, register_dataset
from nevisbench.data.splits import FRACTIONS_ALL_DATA, random_split
from nevisbench.values import TaskKind

DATASET = "animal_web"
_FILE = "animal_dataset_v1_c.rar"
_DRIVE_ID = "13PbHxUofhdJLZzql3TyqL22bQJ3HwDK4"

# The reference's label order (its _LABELS, 352 names).
CLASS_NAMES = (
    "saluki", "kultarr", "bighornsheep", "bandedmongoose", "fox", "goat", "tasmaniandevil", "wallaroo",
    "whiptailwallaby", "feralhorse", "binturong", "geoffroyscat", "klipspringer", "vervetmonkey",
    "possum", "arcticwolf", "rustyspottedgenet", "capegraymongoose", "elk", "commonbrownlemur", "panda",
    "amurtiger", "quokka", "indri", "debrazzasmonkey", "collaredpeccary", "cloudedleopard",
    "emperorpenguin", "zebu", "wildcat", "lionpd", "walrus", "irishwolfhound", "hoodedseal", "camel",
    "patasmonkey", "commongenet", "italiangreyhound", "viverratangalungamalayancivet", "bullmastif",
    "blackbackedjackal", "pekingesedog", "lumholtzstreekangaroo", "komondor", "toquemacaque",
    "longnosedmongoose", "matschiestreekangaroo", "woodchuck", "slendermongoose", "gundi", "animal",
    "feralcat", "chamois", "borneanslowloris", "dachshund", "yelloweyedpenguin", "harpseal", "bharal",
    "blueeyedblacklemur", "treeshrew", "dallsheep", "brushtailedrockwallaby", "marmoset",
    "goldenbamboolemur", "greaterbamboolemur", "balinesecat", "californiansealion", "fallowdeer",
    "adeliepenguin", "waterbuck", "mareebarockwallaby", "horse", "zebra", "blackrhino",
    "australianterrier", "wildebeest", "monte", "oncilla", "armadillo", "frenchbulldog", "swamprabbit",
    "cheetah", "gentoopenguin", "greylangur", "mouflon", "alaskanmalamute", "amurleopard", "dhole",
    "baikalseal", "brownrat", "kingpenguin", "redpanda", "hamster", "echidna", "bushbaby", "fishingcat",
    "westernlesserbamboolemur", "beardedseal", "colo", "roanantelope", "harbourseal",
    "chinstrappenguin", "giantschnauzer", "collaredbrownlemur", "stripedhyena", "opossum", "guanaco",
    "wisent", "visayanwartypig", "barbarymacaque", "onager", "caiman", "feralgoat", "commonwarthog",
    "hartebeest", "arcticfox", "whiteheadedlemur", "spottedseal", "capebuffalo", "medraneanmonkseal",
    "jaguar", "wildass", "barbarysheep", "gibbons", "spottedhyena", "leopardcat", "hedgehog", "uc",
    "topi", "commonchimpanzee", "dunnart", "agilewallaby", "sundaslowloris", "wombat", "chinesegoral",
    "caribou", "weddellseal", "canadianlynx", "husky", "liger", "sharpesgrysbok", "graywolf", "hare",
    "caracal", "hyrax", "platypus", "capefox", "eurasianlynx", "oribi", "northernelephantseal",
    "centralchimpanzee", "dormouse", "gerbil", "cougar", "capybara", "ferret", "przewalskihorse",
    "crestedpenguin", "oryx", "steinbucksteenbok", "nilgai", "mangabey", "australianshepherd",
    "spidermonkey", "monkey", "brownhyena", "roedeer", "bull", "pardinegenet", "anoa", "leopard",
    "swampwallaby", "bonobo", "cottonrat", "vole", "humboldtpenguin", "africanpenguin", "goldenjackal",
    "gorilla", "commonkusimanse", "redtailmonkey", "aardwolf", "suni", "blackandwhiteruffedlemar",
    "chowchow", "raccoon", "bolognesedog", "kangaroo", "dalmatian", "gharial", "australiancattledog",
    "ruddymongoose", "nightmonkey", "swiftfox", "weasel", "easternchimpanzee", "bison", "yak", "chital",
    "titi", "woollymonkey", "reedbuck", "pallascat", "smallasianmongoose", "grizzlybear",
    "rustyspottedcat", "coatis", "redruffedlemur", "kinkajou", "parmawallaby", "coypu",
    "westernchimpanzee", "asianpalmcivet", "domesticcat", "giantotter", "pygmyrabbit", "grayfox",
    "kiang", "pademelon", "lemur", "wapiti", "asiangoldencat", "agouti", "bandedpalmcivet",
    "fieldmouse", "junglecat", "anteater", "mexicanwolf", "largespottedgenet", "beatingmongoose",
    "goodfellowstreekangaroo", "flyingsquirrel", "wolverine", "guineapig", "dassie", "orangutan",
    "greyseal", "ocelot", "howler", "germanpinscher", "koala", "bilby", "goldenretriever", "galagos",
    "leopardseal", "spottedneckedotter", "crownedlemur", "owstonspalmcivet", "donkey", "duiker",
    "pygmyslowloris", "cservalserval", "hippopotamus", "tamarin", "alaskanhare", "badger", "dingo",
    "boar", "goldenlangur", "greatdane", "jackrabbit", "uakari", "colobus", "fennecfox", "sandcat",
    "bamboolemur", "bengalslowloris", "dugong", "rhesusmonkey", "marshmongoose", "littlebluepenguin",
    "hogdeer", "redbelliedsquirrel", "commondwarfmongoose", "corsacfox", "whitewolf", "addax",
    "stripeneckedmongoose", "deermouse", "japanesemacaque", "giraffe", "babirusa", "hamadryasbaboon",
    "douclangur", "anatolianshepherddog", "bluemonkey", "muskox", "yellowfootedrockwallaby", "gerenuk",
    "doberman", "hawaiianmonkseal", "magellanicpenguin", "crabeaterseal", "bobcat", "feralcattle",
    "jaguarundi", "potoroo", "muntjacdeer", "geladababoon", "harvestmouse", "rhinoceros", "olivebaboon",
    "buffalo", "patagonianmara", "bushbuck", "blackbuck", "beaver", "zonkey", "bordercollie",
    "southernelephantseal", "tammarwallaby", "olingos", "quoll", "easternlesserbamboolemur",
    "bandicoot", "alpineibex", "redneckedwallaby", "bear", "japaneseserow", "galapagossealion",
    "muriqui", "blackfootedcat", "cacomistle", "ringtail", "germanshepherddog", "ribbonseal",
    "domesticdog", "lutung", "tarsiers", "margay", "bongo", "francoislangur", "potto",
    "whitetaileddeer", "australiansealion", "capuchinmonkey", "dikdik", "aardvark", "snowleopard",
    "banteng", "chihuahua", "proboscismonkey", "ayeaye", "pantanalcat", "ethiopianwolf",
    "africanwilddog", "deer", "alpaca", "servalinegenet", "chipmunk", "degu", "urial",
)  # fmt: skip


def label_name(file_name: str) -> str:
    """The class of an image file: its name up to the first '_' (``saluki_12.jpg`` → ``saluki``)."""
    return file_name.rsplit(".", 1)[0].split("_")[0]


def images(root: Path) -> list[Example]:
    """The reference's examples: every file whose name ends in 'jpg', flattened to its file name (the
    reference unpacks with ``unrar e``, dropping folders), in file-name order, labelled by prefix."""
    index = {name: label for label, name in enumerate(CLASS_NAMES)}
    by_name: dict[str, Path] = {}
    for path in list_files(root, (".jpg",)):
        if path.name.endswith("jpg"):
            # Flattening makes a repeated file name one file; keep the first in path order.
            by_name.setdefault(path.name, path)
    out = []
    for name in sorted(by_name):
        label = label_name(name)
        if label not in index:
            raise layout_error(
                DATASET, _FILE, f"class {label!r} (of {name}) among the {len(CLASS_NAMES)} labels"
            )
        out.append(Example(by_name[name], index[label], by_name[name].relative_to(root).as_posix()))
    if not out:
        raise layout_error(DATASET, _FILE, "any .jpg image")
    return out


def convert(raw_dir: Path) -> dict[str, list[Example]]:
    examples = images(extracted_dir(raw_dir, _FILE))
    # The reference drops repeated (RGB pixels, label) pairs before drawing the splits.
    return random_split(unique_by_pixels(examples, "RGB"), FRACTIONS_ALL_DATA)


# ---------------------------------------------------------------------------------------- fixture


def make_fixture(raw_dir: Path) -> None:
    species = ("saluki", "fox", "urial", "animal")
    paths = [f"animal_dataset_v1_clean_check/{species[k % 4]}_{k + 1}.jpg" for k in range(40)]
    members = image_members(paths, seed=1400, channels=3, fmt="PNG")
    # A duplicate of the first image under another name: dropped. Landmark files are not images.
    members["animal_dataset_v1_clean_check/saluki_900.jpg"] = members[paths[0]]
    members["animal_dataset_v1_clean_check/saluki_1.pts"] = b"version: 1\nn_points: 9\n{\n}\n"
    write_rar(raw_dir / _FILE, members)


SPEC = register_dataset(
    DatasetSpec(
        id=DATASET,
        title="AnimalWeb (species of animal faces)",
        num_classes=len(CLASS_NAMES),
        kind=TaskKind.SINGLE_LABEL,
        channels=3,
        class_names=CLASS_NAMES,
        homepage="https://fdmaproject.wordpress.com/author/fdmaproject/",
        paper_title="AnimalWeb: A Large-Scale Hierarchical Dataset of Annotated Animal Faces "
        "(Khan et al., CVPR 2020)",
        paper_url="https://openaccess.thecvf.com/content_CVPR_2020/papers/"
        "Khan_AnimalWeb_A_Large-Scale_Hierarchical_Dataset_of_Annotated_Animal_Faces_CVPR_2020_paper.pdf",
        license="unknown: see the homepage",
        artefacts=(
            Artefact(
                _FILE, "gdrive", _DRIVE_ID, md5="d2d7e0a584ee4bd9badc74a9f2ef3b82", extract=True
            ),
        ),
        convert=convert,
        make_fixture=make_fixture,
        split_rule="reference R4 after de-duplication: the .jpg files in file-name order, repeated (RGB "
        "pixels, label) pairs dropped, then each drawn train .56 / dev .12 / dev_test .12 / test .20 "
        "(RandomState(0))",
        notes="Label = the file name up to its first '_', looked up in the reference's 352 labels (some "
        "are generic: 'animal', 'monkey', 'deer'…). The reference unpacks the RAR flat and lists the "
        "folder in unspecified order; we read the unpacked tree, keep the first file of a repeated file "
        "name and sort by file name, so split membership may differ from the paper's. Duplicates are "
        "found as the reference does (MD5 of the RGB pixels plus the label), which decodes every image "
        "once more. Unpacking needs the rarfile package and a RAR tool (unar, bsdtar, 7z or unrar). The "
        "fixture is a hand-made RAR 4 archive with stored members.",
    )
)
