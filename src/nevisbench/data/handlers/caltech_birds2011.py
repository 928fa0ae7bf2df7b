"""CUB-200-2011 (Caltech-UCSD Birds): 11,788 photographs of 200 bird species, with the official split.

TFDS (``caltech_birds2011``) keeps the official train/test split (``train_test_split.txt``); the reference
takes contiguous slices of TFDS's ``train`` (TFDS-A). TFDS stores a split in the order of the MD5 of
``split name + example key`` (the key is the image's path in the archive); that order is reproduced here.
"""

from __future__ import annotations

from pathlib import Path

from nevisbench.data.handlers._archives import iter_lines
from nevisbench.data.handlers._fixtures import encode_image, fixture_image, write_tar
from nevisbench.data.handlers._layout import layout_error
from nevisbench.data.spec import Artefact, DatasetSpec, Example, extracted_dir, register_dataset
from nevisbench.data.splits import contiguous_split, tfds_order
from nevisbench.values import TaskKind

DATASET = "caltech_birds2011"
_FILE = "CUB_200_2011.tgz"
_TOP = "CUB_200_2011"
TFDS_A = (("train", 0.7), ("dev", 0.15), ("dev_test", 1.0))

# The species of classes.txt, in class-id order (folder "NNN.<name>" has label NNN - 1).
CLASS_NAMES = (
    "Black_footed_Albatross", "Laysan_Albatross", "Sooty_Albatross", "Groove_billed_Ani",
    "Crested_Auklet", "Least_Auklet", "Parakeet_Auklet", "Rhinoceros_Auklet", "Brewer_Blackbird",
    "Red_winged_Blackbird", "Rusty_Blackbird", "Yellow_headed_Blackbird", "Bobolink",
    "Indigo_Bunting", "Lazuli_Bunting", "Painted_Bunting", "Cardinal", "Spotted_Catbird",
    "Gray_Catbird", "Yellow_breasted_Chat", "Eastern_Towhee", "Chuck_will_Widow",
    "Brandt_Cormorant", "Red_faced_Cormorant", "Pelagic_Cormorant", "Bronzed_Cowbird",
    "Shiny_Cowbird", "Brown_Creeper", "American_Crow", "Fish_Crow", "Black_billed_Cuckoo",
    "Mangrove_Cuckoo", "Yellow_billed_Cuckoo", "Gray_crowned_Rosy_Finch", "Purple_Finch",
    "Northern_Flicker", "Acadian_Flycatcher", "Great_Crested_Flycatcher", "Least_Flycatcher",
    "Olive_sided_Flycatcher", "Scissor_tailed_Flycatcher", "Vermilion_Flycatcher",
    "Yellow_bellied_Flycatcher", "Frigatebird", "Northern_Fulmar", "Gadwall", "American_Goldfinch",
    "European_Goldfinch", "Boat_tailed_Grackle", "Eared_Grebe", "Horned_Grebe", "Pied_billed_Grebe",
    "Western_Grebe", "Blue_Grosbeak", "Evening_Grosbeak", "Pine_Grosbeak", "Rose_breasted_Grosbeak",
    "Pigeon_Guillemot", "California_Gull", "Glaucous_winged_Gull", "Heermann_Gull", "Herring_Gull",
    "Ivory_Gull", "Ring_billed_Gull", "Slaty_backed_Gull", "Western_Gull", "Anna_Hummingbird",
    "Ruby_throated_Hummingbird", "Rufous_Hummingbird", "Green_Violetear", "Long_tailed_Jaeger",
    "Pomarine_Jaeger", "Blue_Jay", "Florida_Jay", "Green_Jay", "Dark_eyed_Junco",
    "Tropical_Kingbird", "Gray_Kingbird", "Belted_Kingfisher", "Green_Kingfisher",
    "Pied_Kingfisher", "Ringed_Kingfisher", "White_breasted_Kingfisher", "Red_legged_Kittiwake",
    "Horned_Lark", "Pacific_Loon", "Mallard", "Western_Meadowlark", "Hooded_Merganser",
    "Red_breasted_Merganser", "Mockingbird", "Nighthawk", "Clark_Nutcracker",
    "White_breasted_Nuthatch", "Baltimore_Oriole", "Hooded_Oriole", "Orchard_Oriole",
    "Scott_Oriole", "Ovenbird", "Brown_Pelican", "White_Pelican", "Western_Wood_Pewee", "Sayornis",
    "American_Pipit", "Whip_poor_Will", "Horned_Puffin", "Common_Raven", "White_necked_Raven",
    "American_Redstart", "Geococcyx", "Loggerhead_Shrike", "Great_Grey_Shrike", "Baird_Sparrow",
    "Black_throated_Sparrow", "Brewer_Sparrow", "Chipping_Sparrow", "Clay_colored_Sparrow",
    "House_Sparrow", "Field_Sparrow", "Fox_Sparrow", "Grasshopper_Sparrow", "Harris_Sparrow",
    "Henslow_Sparrow", "Le_Conte_Sparrow", "Lincoln_Sparrow", "Nelson_Sharp_tailed_Sparrow",
    "Savannah_Sparrow", "Seaside_Sparrow", "Song_Sparrow", "Tree_Sparrow", "Vesper_Sparrow",
    "White_crowned_Sparrow", "White_throated_Sparrow", "Cape_Glossy_Starling", "Bank_Swallow",
    "Barn_Swallow", "Cliff_Swallow", "Tree_Swallow", "Scarlet_Tanager", "Summer_Tanager",
    "Artic_Tern", "Black_Tern", "Caspian_Tern", "Common_Tern", "Elegant_Tern", "Forsters_Tern",
    "Least_Tern", "Green_tailed_Towhee", "Brown_Thrasher", "Sage_Thrasher", "Black_capped_Vireo",
    "Blue_headed_Vireo", "Philadelphia_Vireo", "Red_eyed_Vireo", "Warbling_Vireo",
    "White_eyed_Vireo", "Yellow_throated_Vireo", "Bay_breasted_Warbler", "Black_and_white_Warbler",
    "Black_throated_Blue_Warbler", "Blue_winged_Warbler", "Canada_Warbler", "Cape_May_Warbler",
    "Cerulean_Warbler", "Chestnut_sided_Warbler", "Golden_winged_Warbler", "Hooded_Warbler",
    "Kentucky_Warbler", "Magnolia_Warbler", "Mourning_Warbler", "Myrtle_Warbler",
    "Nashville_Warbler", "Orange_crowned_Warbler", "Palm_Warbler", "Pine_Warbler",
    "Prairie_Warbler", "Prothonotary_Warbler", "Swainson_Warbler", "Tennessee_Warbler",
    "Wilson_Warbler", "Worm_eating_Warbler", "Yellow_Warbler", "Northern_Waterthrush",
    "Louisiana_Waterthrush", "Bohemian_Waxwing", "Cedar_Waxwing", "American_Three_toed_Woodpecker",
    "Pileated_Woodpecker", "Red_bellied_Woodpecker", "Red_cockaded_Woodpecker",
    "Red_headed_Woodpecker", "Downy_Woodpecker", "Bewick_Wren", "Cactus_Wren", "Carolina_Wren",
    "House_Wren", "Marsh_Wren", "Rock_Wren", "Winter_Wren", "Common_Yellowthroat",
)  # fmt: skip


def _table(path: Path, root: Path) -> dict[str, str]:
    """``{image id: value}`` of a two-column metadata file (``images.txt``, ``train_test_split.txt``)."""
    if not path.is_file():
        raise layout_error(DATASET, _FILE, str(path.relative_to(root)))
    out: dict[str, str] = {}
    for line in iter_lines(path.read_bytes()):
        fields = line.split()
        if len(fields) != 2:
            raise layout_error(DATASET, _FILE, f"two columns in {path.name} line {line!r}")
        out[fields[0]] = fields[1]
    return out


def label_of(relative: str) -> int:
    """The label of ``NNN.<species>/<file>.jpg``: NNN - 1, checked against the species name."""
    folder = relative.split("/")[0]
    number, _, species = folder.partition(".")
    if not number.isdigit() or not 1 <= int(number) <= len(CLASS_NAMES):
        raise layout_error(DATASET, _FILE, f"a class folder NNN.<species> for images/{relative}")
    if CLASS_NAMES[int(number) - 1] != species:
        raise layout_error(
            DATASET, _FILE, f"species {CLASS_NAMES[int(number) - 1]} for images/{relative}"
        )
    return int(number) - 1


def _tfds_key(example: Example) -> str:
    """TFDS's key of an example: its name, the image's member path in the archive."""
    return example.name


def convert(raw_dir: Path) -> dict[str, list[Example]]:
    root = extracted_dir(raw_dir, _FILE)
    base = root / _TOP
    paths = _table(base / "images.txt", root)
    is_train = _table(base / "train_test_split.txt", root)
    examples: dict[str, list[Example]] = {"train": [], "test": []}
    for image_id, relative in paths.items():
        if image_id not in is_train:
            raise layout_error(DATASET, _FILE, f"image {image_id} in {_TOP}/train_test_split.txt")
        path = base / "images" / relative
        if not path.is_file():
            raise layout_error(DATASET, _FILE, f"{_TOP}/images/{relative}")
        key = f"{_TOP}/images/{relative}"  # TFDS's key: the member path in the archive
        split = "train" if is_train[image_id] == "1" else "test"
        examples[split].append(Example(path, label_of(relative), key))
    out = contiguous_split(tfds_order(examples["train"], "train", key=_tfds_key), TFDS_A)
    out["test"] = tfds_order(examples["test"], "test", key=_tfds_key)
    return out


def make_fixture(raw_dir: Path) -> None:
    # 14 images of 3 species: 10 official train (7/1/2 after TFDS-A) and 4 test.
    members: dict[str, bytes] = {}
    images, splits, labels = [], [], []
    for i in range(14):
        label = (0, 1, 199)[i % 3]
        folder = f"{label + 1:03d}.{CLASS_NAMES[label]}"
        relative = f"{folder}/{CLASS_NAMES[label]}_{i:04d}_{100 + i}.jpg"
        members[f"{_TOP}/images/{relative}"] = encode_image(fixture_image(i, 10, 8), "JPEG")
        images.append(f"{i + 1} {relative}\n")
        splits.append(f"{i + 1} {0 if i % 4 == 3 else 1}\n")
        labels.append(f"{i + 1} {label + 1}\n")
    members[f"{_TOP}/images.txt"] = "".join(images).encode()
    members[f"{_TOP}/train_test_split.txt"] = "".join(splits).encode()
    members[f"{_TOP}/image_class_labels.txt"] = "".join(labels).encode()
    members[f"{_TOP}/classes.txt"] = "".join(
        f"{k + 1} {k + 1:03d}.{name}\n" for k, name in enumerate(CLASS_NAMES)
    ).encode()
    write_tar(raw_dir / _FILE, members)


SPEC = register_dataset(
    DatasetSpec(
        id=DATASET,
        title="CUB-200-2011 (Caltech-UCSD Birds)",
        num_classes=len(CLASS_NAMES),
        kind=TaskKind.SINGLE_LABEL,
        channels=3,
        class_names=CLASS_NAMES,
        homepage="https://www.vision.caltech.edu/datasets/cub_200_2011/",
        paper_title="The Caltech-UCSD Birds-200-2011 Dataset (Wah, Branson, Welinder, Perona & "
        "Belongie, Caltech technical report CNS-TR-2011-001, 2011)",
        paper_url="https://authors.library.caltech.edu/27452/",
        license="unknown: see the homepage (images from Flickr; research use)",
        artefacts=(
            Artefact(
                _FILE,
                "url",
                "https://data.caltech.edu/records/65de6-vp158/files/CUB_200_2011.tgz?download=1",
                md5="97eceeb196236b17998738112f37df78",
                mirrors=(
                    "https://drive.google.com/uc?export=download&id=1hbzc_P1FuxMkcabkgn9ZKinBwW683j45",
                ),
                extract=True,
            ),
        ),
        convert=convert,
        make_fixture=make_fixture,
        split_rule="reference TFDS-A over TFDS caltech_birds2011: TFDS train = the official train images "
        "(train_test_split.txt, 5,994), TFDS test = the official test images (5,794); train = the first "
        "int(.7N) of TFDS train in TFDS's stored order (MD5 of 'train' + the archive path), dev = the "
        "next int(.15N), dev_test = the rest (4,195 / 899 / 900); test = TFDS test",
        notes="Whole images, labelled by species (folder NNN.<species> → NNN - 1), as TFDS's 'label'; "
        "bounding boxes and segmentations are not used (and segmentations.tgz is not fetched). TFDS's "
        "stored order (MD5 of split name + 'CUB_200_2011/images/<folder>/<file>', ascending) is "
        "reproduced, so the slices should hold the same images as the paper's.",
    )
)
