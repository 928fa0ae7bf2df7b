"""SUN397: 108,753 scene photographs in 397 categories, from the official archive and TFDS's split lists."""

from __future__ import annotations

from pathlib import Path

from nevisbench.data.handlers._archives import iter_lines
from nevisbench.data.handlers._fixtures import encode_image, fixture_image, write_tar
from nevisbench.data.handlers._layout import layout_error, require
from nevisbench.data.spec import Artefact, DatasetSpec, Example, extracted_dir, register_dataset
from nevisbench.data.splits import contiguous_split, tfds_order
from nevisbench.values import TaskKind

_ID = "sun397"
_ARCHIVE = "SUN397.tar.gz"
_TOP = "SUN397"

# TFDS's label order (sun397_labels.txt: the category paths, sorted).
_CLASS_NAMES_TEXT = """
    /a/abbey /a/airplane_cabin /a/airport_terminal /a/alley /a/amphitheater /a/amusement_arcade
    /a/amusement_park /a/anechoic_chamber /a/apartment_building/outdoor /a/apse/indoor /a/aquarium
    /a/aqueduct /a/arch /a/archive /a/arrival_gate/outdoor /a/art_gallery /a/art_school
    /a/art_studio /a/assembly_line /a/athletic_field/outdoor /a/atrium/public /a/attic /a/auditorium
    /a/auto_factory /b/badlands /b/badminton_court/indoor /b/baggage_claim /b/bakery/shop
    /b/balcony/exterior /b/balcony/interior /b/ball_pit /b/ballroom /b/bamboo_forest /b/banquet_hall
    /b/bar /b/barn /b/barndoor /b/baseball_field /b/basement /b/basilica /b/basketball_court/outdoor
    /b/bathroom /b/batters_box /b/bayou /b/bazaar/indoor /b/bazaar/outdoor /b/beach /b/beauty_salon
    /b/bedroom /b/berth /b/biology_laboratory /b/bistro/indoor /b/boardwalk /b/boat_deck
    /b/boathouse /b/bookstore /b/booth/indoor /b/botanical_garden /b/bow_window/indoor
    /b/bow_window/outdoor /b/bowling_alley /b/boxing_ring /b/brewery/indoor /b/bridge
    /b/building_facade /b/bullring /b/burial_chamber /b/bus_interior /b/butchers_shop /b/butte
    /c/cabin/outdoor /c/cafeteria /c/campsite /c/campus /c/canal/natural /c/canal/urban
    /c/candy_store /c/canyon /c/car_interior/backseat /c/car_interior/frontseat /c/carrousel
    /c/casino/indoor /c/castle /c/catacomb /c/cathedral/indoor /c/cathedral/outdoor /c/cavern/indoor
    /c/cemetery /c/chalet /c/cheese_factory /c/chemistry_lab /c/chicken_coop/indoor
    /c/chicken_coop/outdoor /c/childs_room /c/church/indoor /c/church/outdoor /c/classroom
    /c/clean_room /c/cliff /c/cloister/indoor /c/closet /c/clothing_store /c/coast /c/cockpit
    /c/coffee_shop /c/computer_room /c/conference_center /c/conference_room /c/construction_site
    /c/control_room /c/control_tower/outdoor /c/corn_field /c/corral /c/corridor /c/cottage_garden
    /c/courthouse /c/courtroom /c/courtyard /c/covered_bridge/exterior /c/creek /c/crevasse
    /c/crosswalk /c/cubicle/office /d/dam /d/delicatessen /d/dentists_office /d/desert/sand
    /d/desert/vegetation /d/diner/indoor /d/diner/outdoor /d/dinette/home /d/dinette/vehicle
    /d/dining_car /d/dining_room /d/discotheque /d/dock /d/doorway/outdoor /d/dorm_room /d/driveway
    /d/driving_range/outdoor /d/drugstore /e/electrical_substation /e/elevator/door
    /e/elevator/interior /e/elevator_shaft /e/engine_room /e/escalator/indoor /e/excavation
    /f/factory/indoor /f/fairway /f/fastfood_restaurant /f/field/cultivated /f/field/wild
    /f/fire_escape /f/fire_station /f/firing_range/indoor /f/fishpond /f/florist_shop/indoor
    /f/food_court /f/forest/broadleaf /f/forest/needleleaf /f/forest_path /f/forest_road
    /f/formal_garden /f/fountain /g/galley /g/game_room /g/garage/indoor /g/garbage_dump
    /g/gas_station /g/gazebo/exterior /g/general_store/indoor /g/general_store/outdoor /g/gift_shop
    /g/golf_course /g/greenhouse/indoor /g/greenhouse/outdoor /g/gymnasium/indoor /h/hangar/indoor
    /h/hangar/outdoor /h/harbor /h/hayfield /h/heliport /h/herb_garden /h/highway /h/hill
    /h/home_office /h/hospital /h/hospital_room /h/hot_spring /h/hot_tub/outdoor /h/hotel/outdoor
    /h/hotel_room /h/house /h/hunting_lodge/outdoor /i/ice_cream_parlor /i/ice_floe /i/ice_shelf
    /i/ice_skating_rink/indoor /i/ice_skating_rink/outdoor /i/iceberg /i/igloo /i/industrial_area
    /i/inn/outdoor /i/islet /j/jacuzzi/indoor /j/jail/indoor /j/jail_cell /j/jewelry_shop /k/kasbah
    /k/kennel/indoor /k/kennel/outdoor /k/kindergarden_classroom /k/kitchen /k/kitchenette
    /l/labyrinth/outdoor /l/lake/natural /l/landfill /l/landing_deck /l/laundromat /l/lecture_room
    /l/library/indoor /l/library/outdoor /l/lido_deck/outdoor /l/lift_bridge /l/lighthouse
    /l/limousine_interior /l/living_room /l/lobby /l/lock_chamber /l/locker_room /m/mansion
    /m/manufactured_home /m/market/indoor /m/market/outdoor /m/marsh /m/martial_arts_gym
    /m/mausoleum /m/medina /m/moat/water /m/monastery/outdoor /m/mosque/indoor /m/mosque/outdoor
    /m/motel /m/mountain /m/mountain_snowy /m/movie_theater/indoor /m/museum/indoor /m/music_store
    /m/music_studio /n/nuclear_power_plant/outdoor /n/nursery /o/oast_house /o/observatory/outdoor
    /o/ocean /o/office /o/office_building /o/oil_refinery/outdoor /o/oilrig /o/operating_room
    /o/orchard /o/outhouse/outdoor /p/pagoda /p/palace /p/pantry /p/park /p/parking_garage/indoor
    /p/parking_garage/outdoor /p/parking_lot /p/parlor /p/pasture /p/patio /p/pavilion /p/pharmacy
    /p/phone_booth /p/physics_laboratory /p/picnic_area /p/pilothouse/indoor /p/planetarium/outdoor
    /p/playground /p/playroom /p/plaza /p/podium/indoor /p/podium/outdoor /p/pond
    /p/poolroom/establishment /p/poolroom/home /p/power_plant/outdoor /p/promenade_deck
    /p/pub/indoor /p/pulpit /p/putting_green /r/racecourse /r/raceway /r/raft /r/railroad_track
    /r/rainforest /r/reception /r/recreation_room /r/residential_neighborhood /r/restaurant
    /r/restaurant_kitchen /r/restaurant_patio /r/rice_paddy /r/riding_arena /r/river /r/rock_arch
    /r/rope_bridge /r/ruin /r/runway /s/sandbar /s/sandbox /s/sauna /s/schoolhouse /s/sea_cliff
    /s/server_room /s/shed /s/shoe_shop /s/shopfront /s/shopping_mall/indoor /s/shower /s/skatepark
    /s/ski_lodge /s/ski_resort /s/ski_slope /s/sky /s/skyscraper /s/slum /s/snowfield
    /s/squash_court /s/stable /s/stadium/baseball /s/stadium/football /s/stage/indoor /s/staircase
    /s/street /s/subway_interior /s/subway_station/platform /s/supermarket /s/sushi_bar /s/swamp
    /s/swimming_pool/indoor /s/swimming_pool/outdoor /s/synagogue/indoor /s/synagogue/outdoor
    /t/television_studio /t/temple/east_asia /t/temple/south_asia /t/tennis_court/indoor
    /t/tennis_court/outdoor /t/tent/outdoor /t/theater/indoor_procenium /t/theater/indoor_seats
    /t/thriftshop /t/throne_room /t/ticket_booth /t/toll_plaza /t/topiary_garden /t/tower /t/toyshop
    /t/track/outdoor /t/train_railway /t/train_station/platform /t/tree_farm /t/tree_house /t/trench
    /u/underwater/coral_reef /u/utility_room /v/valley /v/van_interior /v/vegetable_garden
    /v/veranda /v/veterinarians_office /v/viaduct /v/videostore /v/village /v/vineyard /v/volcano
    /v/volleyball_court/indoor /v/volleyball_court/outdoor /w/waiting_room /w/warehouse/indoor
    /w/water_tower /w/waterfall/block /w/waterfall/fan /w/waterfall/plunge /w/watering_hole /w/wave
    /w/wet_bar /w/wheat_field /w/wind_farm /w/windmill /w/wine_cellar/barrel_storage
    /w/wine_cellar/bottle_storage /w/wrestling_ring/indoor /y/yard /y/youth_hostel
"""
CLASS_NAMES = tuple(_CLASS_NAMES_TEXT.split())
_LABELS = {name: k for k, name in enumerate(CLASS_NAMES)}

# TFDS's default config ("tfds") draws its train / validation / test images from three lists it
# ships (a random 70/10/20 partition of the images); they are fetched from the TFDS release that
# the reference's era used.
_TFDS_RAW = "https://raw.githubusercontent.com/tensorflow/datasets/v4.9.2/tensorflow_datasets/"
SPLIT_LISTS = {
    "train": ("sun397_tfds_tr.txt", "2e8dd4c1bc68ece3d8510c22085c3777"),
    "validation": ("sun397_tfds_va.txt", "cf69489da6db30ebc6e36730a2fd499b"),
    "test": ("sun397_tfds_te.txt", "2a9dce8a9102a225ab264ae2d8057af8"),
}

# Two images TFDS skips (undecodable, or decoded differently from run to run).
IGNORED = frozenset({"/c/church/outdoor/sun_bhenjvsvrtumjuri.jpg", "/t/track/outdoor/sun_aophkoiosslinihb.jpg"})


def read_split_list(raw_dir: Path, part: str) -> list[str]:
    """The image paths (``/a/abbey/sun_x.jpg``) of one TFDS list, sorted, without TFDS's ignored ones."""
    name = SPLIT_LISTS[part][0]
    path = require(raw_dir / name, _ID, name, raw_dir)
    out = []
    for number, line in enumerate(iter_lines(path.read_bytes()), start=1):
        category = line.rsplit("/", 1)[0]
        if category not in _LABELS:
            raise layout_error(_ID, name, f"line {number} ({line!r}) under one of the 397 categories")
        if line not in IGNORED:
            out.append(line)
    return sorted(out)


def convert(raw_dir: Path) -> dict[str, list[Example]]:
    root = extracted_dir(raw_dir, _ARCHIVE) / _TOP
    if not root.is_dir():
        raise layout_error(_ID, _ARCHIVE, f"folder {_TOP}/")

    def examples(part: str) -> list[Example]:
        out = []
        # TFDS's stored order (key: the path under SUN397/, e.g. /a/abbey/sun_x.jpg).
        for image in tfds_order(read_split_list(raw_dir, part), part, lambda name: name):
            path = root / image.lstrip("/")
            if not path.is_file():
                raise layout_error(_ID, _ARCHIVE, f"{_TOP}{image}")
            out.append(Example(path, _LABELS[image.rsplit("/", 1)[0]], _TOP + image))
        return out

    # TFDS-B: the TFDS train list cut 80/20 into train/dev; validation → dev_test; test → test.
    out = contiguous_split(examples("train"), [("train", 0.8), ("dev", 1.0)])
    out["dev_test"] = examples("validation")
    out["test"] = examples("test")
    return out


def make_fixture(raw_dir: Path) -> None:
    raw_dir.mkdir(parents=True, exist_ok=True)
    categories = ("/a/abbey", "/c/car_interior/backseat", "/y/youth_hostel")
    members: dict[str, bytes] = {f"{_TOP}/ClassName.txt": "\n".join(CLASS_NAMES).encode()}
    lists: dict[str, list[str]] = {"train": [], "validation": [], "test": []}
    for c, category in enumerate(categories):
        for k in range(6):
            image = f"{category}/sun_{chr(97 + c)}{k:05d}.jpg"
            members[_TOP + image] = encode_image(fixture_image(10 * c + k, 11, 13), "JPEG")
            lists["train" if k < 4 else "validation" if k == 4 else "test"].append(image)
    # An image TFDS ignores, listed in its train list as in the real one.
    members[_TOP + "/c/church/outdoor/sun_bhenjvsvrtumjuri.jpg"] = b"not a decodable image"
    lists["train"].append("/c/church/outdoor/sun_bhenjvsvrtumjuri.jpg")
    write_tar(raw_dir / _ARCHIVE, members)
    for part, images in lists.items():
        (raw_dir / SPLIT_LISTS[part][0]).write_text("\n".join(reversed(images)) + "\n")


SPEC = register_dataset(
    DatasetSpec(
        id=_ID,
        title="SUN397",
        num_classes=len(CLASS_NAMES),
        kind=TaskKind.SINGLE_LABEL,
        channels=3,
        class_names=CLASS_NAMES,
        homepage="https://vision.princeton.edu/projects/2010/SUN/",
        paper_title="SUN Database: Large-scale Scene Recognition from Abbey to Zoo (Xiao, Hays, "
        "Ehinger, Oliva & Torralba, CVPR 2010)",
        paper_url="https://vision.princeton.edu/projects/2010/SUN/paper.pdf",
        license="unknown: see the homepage (images collected from the web, for research)",
        artefacts=(
            Artefact(
                _ARCHIVE,
                "url",
                "https://vision.princeton.edu/projects/2010/SUN/" + _ARCHIVE,
                md5="8ca2778205c41d23104230ba66911c7a",
                sha256="f404130965a7ad77bed5ececc71e720ab50f3cc1e1bb257257610d38f3b928ec",
                extract=True,
            ),
            *(
                Artefact(filename, "url", _TFDS_RAW + "image_classification/" + filename, md5=md5)
                for filename, md5 in SPLIT_LISTS.values()
            ),
        ),
        convert=convert,
        make_fixture=make_fixture,
        split_rule="reference TFDS-B over TFDS's default sun397 partition (its lists "
        "sun397_tfds_tr/va/te.txt, a random 70/10/20 split of the images): train = first "
        "int(.8N) of the TFDS train list, dev = the rest; dev_test = the validation list; test = "
        "the test list (60,901 / 15,226 / 10,875 / 21,750)",
        notes="The split lists come from TFDS v4.9.2 on GitHub (unchanged since TFDS added them, so taken to "
        "be the reference's). "
        "Labels are the category paths (/a/abbey, /c/car_interior/backseat, …) in TFDS's sorted "
        "order. The two images TFDS skips are skipped too. TFDS stores images resized to at most "
        "120,000 pixels and re-encoded as JPEG; we keep the originals (the store resizes). Each "
        "list is put in the order TFDS stores it (sorted by MD5 of split name + image path, "
        "TFDS's key), so the contiguous train/dev cut has the reference's membership and order.",
    )
)
