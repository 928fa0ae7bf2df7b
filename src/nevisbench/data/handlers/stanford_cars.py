"""Stanford Cars: 16,185 photos of 196 car models (make, model, year), whole images (no box crop)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import scipy.io

from nevisbench.data.handlers._archives import tar_names
from nevisbench.data.handlers._fixtures import encode_image, fixture_image, write_tar
from nevisbench.data.handlers._layout import layout_error, require
from nevisbench.data.handlers._mat import load_mat
from nevisbench.data.spec import Artefact, DatasetSpec, Example, extracted_dir, register_dataset
from nevisbench.data.splits import official_train_split
from nevisbench.values import TaskKind

DATASET = "stanford_cars"
_IMAGES = "car_ims.tgz"
_ANNOTATIONS = "cars_annos.mat"

# The devkit's class order (cars_annos.mat "class_names"; label = "class" - 1).
CLASS_NAMES = (
    "AM General Hummer SUV 2000", "Acura RL Sedan 2012", "Acura TL Sedan 2012", "Acura TL Type-S 2008",
    "Acura TSX Sedan 2012", "Acura Integra Type R 2001", "Acura ZDX Hatchback 2012",
    "Aston Martin V8 Vantage Convertible 2012", "Aston Martin V8 Vantage Coupe 2012",
    "Aston Martin Virage Convertible 2012", "Aston Martin Virage Coupe 2012",
    "Audi RS 4 Convertible 2008", "Audi A5 Coupe 2012", "Audi TTS Coupe 2012", "Audi R8 Coupe 2012",
    "Audi V8 Sedan 1994", "Audi 100 Sedan 1994", "Audi 100 Wagon 1994", "Audi TT Hatchback 2011",
    "Audi S6 Sedan 2011", "Audi S5 Convertible 2012", "Audi S5 Coupe 2012", "Audi S4 Sedan 2012",
    "Audi S4 Sedan 2007", "Audi TT RS Coupe 2012", "BMW ActiveHybrid 5 Sedan 2012",
    "BMW 1 Series Convertible 2012", "BMW 1 Series Coupe 2012", "BMW 3 Series Sedan 2012",
    "BMW 3 Series Wagon 2012", "BMW 6 Series Convertible 2007", "BMW X5 SUV 2007", "BMW X6 SUV 2012",
    "BMW M3 Coupe 2012", "BMW M5 Sedan 2010", "BMW M6 Convertible 2010", "BMW X3 SUV 2012",
    "BMW Z4 Convertible 2012", "Bentley Continental Supersports Conv. Convertible 2012",
    "Bentley Arnage Sedan 2009", "Bentley Mulsanne Sedan 2011", "Bentley Continental GT Coupe 2012",
    "Bentley Continental GT Coupe 2007", "Bentley Continental Flying Spur Sedan 2007",
    "Bugatti Veyron 16.4 Convertible 2009", "Bugatti Veyron 16.4 Coupe 2009", "Buick Regal GS 2012",
    "Buick Rainier SUV 2007", "Buick Verano Sedan 2012", "Buick Enclave SUV 2012",
    "Cadillac CTS-V Sedan 2012", "Cadillac SRX SUV 2012", "Cadillac Escalade EXT Crew Cab 2007",
    "Chevrolet Silverado 1500 Hybrid Crew Cab 2012", "Chevrolet Corvette Convertible 2012",
    "Chevrolet Corvette ZR1 2012", "Chevrolet Corvette Ron Fellows Edition Z06 2007",
    "Chevrolet Traverse SUV 2012", "Chevrolet Camaro Convertible 2012", "Chevrolet HHR SS 2010",
    "Chevrolet Impala Sedan 2007", "Chevrolet Tahoe Hybrid SUV 2012", "Chevrolet Sonic Sedan 2012",
    "Chevrolet Express Cargo Van 2007", "Chevrolet Avalanche Crew Cab 2012", "Chevrolet Cobalt SS 2010",
    "Chevrolet Malibu Hybrid Sedan 2010", "Chevrolet TrailBlazer SS 2009",
    "Chevrolet Silverado 2500HD Regular Cab 2012", "Chevrolet Silverado 1500 Classic Extended Cab 2007",
    "Chevrolet Express Van 2007", "Chevrolet Monte Carlo Coupe 2007", "Chevrolet Malibu Sedan 2007",
    "Chevrolet Silverado 1500 Extended Cab 2012", "Chevrolet Silverado 1500 Regular Cab 2012",
    "Chrysler Aspen SUV 2009", "Chrysler Sebring Convertible 2010",
    "Chrysler Town and Country Minivan 2012", "Chrysler 300 SRT-8 2010",
    "Chrysler Crossfire Convertible 2008", "Chrysler PT Cruiser Convertible 2008",
    "Daewoo Nubira Wagon 2002", "Dodge Caliber Wagon 2012", "Dodge Caliber Wagon 2007",
    "Dodge Caravan Minivan 1997", "Dodge Ram Pickup 3500 Crew Cab 2010",
    "Dodge Ram Pickup 3500 Quad Cab 2009", "Dodge Sprinter Cargo Van 2009", "Dodge Journey SUV 2012",
    "Dodge Dakota Crew Cab 2010", "Dodge Dakota Club Cab 2007", "Dodge Magnum Wagon 2008",
    "Dodge Challenger SRT8 2011", "Dodge Durango SUV 2012", "Dodge Durango SUV 2007",
    "Dodge Charger Sedan 2012", "Dodge Charger SRT-8 2009", "Eagle Talon Hatchback 1998",
    "FIAT 500 Abarth 2012", "FIAT 500 Convertible 2012", "Ferrari FF Coupe 2012",
    "Ferrari California Convertible 2012", "Ferrari 458 Italia Convertible 2012",
    "Ferrari 458 Italia Coupe 2012", "Fisker Karma Sedan 2012", "Ford F-450 Super Duty Crew Cab 2012",
    "Ford Mustang Convertible 2007", "Ford Freestar Minivan 2007", "Ford Expedition EL SUV 2009",
    "Ford Edge SUV 2012", "Ford Ranger SuperCab 2011", "Ford GT Coupe 2006",
    "Ford F-150 Regular Cab 2012", "Ford F-150 Regular Cab 2007", "Ford Focus Sedan 2007",
    "Ford E-Series Wagon Van 2012", "Ford Fiesta Sedan 2012", "GMC Terrain SUV 2012",
    "GMC Savana Van 2012", "GMC Yukon Hybrid SUV 2012", "GMC Acadia SUV 2012",
    "GMC Canyon Extended Cab 2012", "Geo Metro Convertible 1993", "HUMMER H3T Crew Cab 2010",
    "HUMMER H2 SUT Crew Cab 2009", "Honda Odyssey Minivan 2012", "Honda Odyssey Minivan 2007",
    "Honda Accord Coupe 2012", "Honda Accord Sedan 2012", "Hyundai Veloster Hatchback 2012",
    "Hyundai Santa Fe SUV 2012", "Hyundai Tucson SUV 2012", "Hyundai Veracruz SUV 2012",
    "Hyundai Sonata Hybrid Sedan 2012", "Hyundai Elantra Sedan 2007", "Hyundai Accent Sedan 2012",
    "Hyundai Genesis Sedan 2012", "Hyundai Sonata Sedan 2012", "Hyundai Elantra Touring Hatchback 2012",
    "Hyundai Azera Sedan 2012", "Infiniti G Coupe IPL 2012", "Infiniti QX56 SUV 2011",
    "Isuzu Ascender SUV 2008", "Jaguar XK XKR 2012", "Jeep Patriot SUV 2012", "Jeep Wrangler SUV 2012",
    "Jeep Liberty SUV 2012", "Jeep Grand Cherokee SUV 2012", "Jeep Compass SUV 2012",
    "Lamborghini Reventon Coupe 2008", "Lamborghini Aventador Coupe 2012",
    "Lamborghini Gallardo LP 570-4 Superleggera 2012", "Lamborghini Diablo Coupe 2001",
    "Land Rover Range Rover SUV 2012", "Land Rover LR2 SUV 2012", "Lincoln Town Car Sedan 2011",
    "MINI Cooper Roadster Convertible 2012", "Maybach Landaulet Convertible 2012",
    "Mazda Tribute SUV 2011", "McLaren MP4-12C Coupe 2012", "Mercedes-Benz 300-Class Convertible 1993",
    "Mercedes-Benz C-Class Sedan 2012", "Mercedes-Benz SL-Class Coupe 2009",
    "Mercedes-Benz E-Class Sedan 2012", "Mercedes-Benz S-Class Sedan 2012",
    "Mercedes-Benz Sprinter Van 2012", "Mitsubishi Lancer Sedan 2012", "Nissan Leaf Hatchback 2012",
    "Nissan NV Passenger Van 2012", "Nissan Juke Hatchback 2012", "Nissan 240SX Coupe 1998",
    "Plymouth Neon Coupe 1999", "Porsche Panamera Sedan 2012", "Ram C/V Cargo Van Minivan 2012",
    "Rolls-Royce Phantom Drophead Coupe Convertible 2012", "Rolls-Royce Ghost Sedan 2012",
    "Rolls-Royce Phantom Sedan 2012", "Scion xD Hatchback 2012", "Spyker C8 Convertible 2009",
    "Spyker C8 Coupe 2009", "Suzuki Aerio Sedan 2007", "Suzuki Kizashi Sedan 2012",
    "Suzuki SX4 Hatchback 2012", "Suzuki SX4 Sedan 2012", "Tesla Model S Sedan 2012",
    "Toyota Sequoia SUV 2012", "Toyota Camry Sedan 2012", "Toyota Corolla Sedan 2012",
    "Toyota 4Runner SUV 2012", "Volkswagen Golf Hatchback 2012", "Volkswagen Golf Hatchback 1991",
    "Volkswagen Beetle Hatchback 2012", "Volvo C30 Hatchback 2012", "Volvo 240 Sedan 1993",
    "Volvo XC90 SUV 2007", "smart fortwo Convertible 2012",
)  # fmt: skip



def _field(record: np.void, name: str) -> object:
    return np.asarray(record[name]).squeeze().item()


def read_annotations(path: Path) -> tuple[dict[str, int], dict[str, int]]:
    """``({image file name: label} of the official train set, the same of the test set)``.

    Images are keyed by file name, as the reference keys them (``car_ims/000001.jpg`` → ``000001.jpg``).
    """
    mat = load_mat(require(path, DATASET, _ANNOTATIONS), DATASET, _ANNOTATIONS)
    if "annotations" not in mat:
        raise layout_error(DATASET, _ANNOTATIONS, "variable 'annotations'")
    annotations = mat["annotations"].ravel()
    missing = {"relative_im_path", "class", "test"} - set(annotations.dtype.names or ())
    if missing:
        raise layout_error(DATASET, _ANNOTATIONS, f"annotation fields {sorted(missing)}")
    if "class_names" in mat:
        found = tuple(str(np.asarray(n).squeeze()) for n in mat["class_names"].ravel())
        if found != CLASS_NAMES:
            raise layout_error(DATASET, _ANNOTATIONS, "the 196 class names of the devkit (they differ)")
    train: dict[str, int] = {}
    test: dict[str, int] = {}
    for record in annotations:
        name = Path(str(_field(record, "relative_im_path"))).name
        label = int(_field(record, "class")) - 1
        if not 0 <= label < len(CLASS_NAMES):
            raise ValueError(f"dataset {DATASET}: {name} has class {label + 1}, outside 1..196")
        (test if int(_field(record, "test")) == 1 else train)[name] = label
    return train, test


def convert(raw_dir: Path) -> dict[str, list[Example]]:
    train_labels, test_labels = read_annotations(raw_dir / _ANNOTATIONS)
    root = require(extracted_dir(raw_dir, _IMAGES), DATASET, _IMAGES)
    require(root / "car_ims", DATASET, _IMAGES, root)
    train: list[Example] = []
    test: list[Example] = []
    # The reference reads the archive in the order the tar stores its members (its T3 draw goes by
    # position in that order), keying each by its file name; images without an annotation are left
    # out, as in the reference.
    for name in tar_names(raw_dir / _IMAGES, DATASET, as_extracted=True):
        filename = name.rsplit("/", 1)[-1]
        if filename in train_labels:
            train.append(Example(root / name, train_labels[filename], name))
        elif filename in test_labels:
            test.append(Example(root / name, test_labels[filename], name))
    return official_train_split(train, test)


def make_fixture(raw_dir: Path) -> None:
    raw_dir.mkdir(parents=True, exist_ok=True)
    count = 40
    # Stored in an order that is not the sorted one (odd numbers first), so that a handler that
    # sorts the file names gives other splits than the reference's tar order.
    numbers = [*range(1, count + 1, 2), *range(2, count + 1, 2)]
    images = {f"car_ims/{i:06d}.jpg": encode_image(fixture_image(i, 10, 14), "JPEG") for i in numbers}
    write_tar(raw_dir / _IMAGES, images)
    fields = ["relative_im_path", "bbox_x1", "bbox_y1", "bbox_x2", "bbox_y2", "class", "test"]
    records = np.zeros((1, count), dtype=[(f, object) for f in fields])
    for i in range(count):
        records[0, i] = (
            f"car_ims/{i + 1:06d}.jpg", 1, 1, 9, 8, (3 * i) % len(CLASS_NAMES) + 1, int(i % 4 == 3)
        )
    names = np.empty((1, len(CLASS_NAMES)), dtype=object)
    names[0, :] = list(CLASS_NAMES)
    scipy.io.savemat(raw_dir / _ANNOTATIONS, {"annotations": records, "class_names": names})


SPEC = register_dataset(
    DatasetSpec(
        id=DATASET,
        title="Stanford Cars",
        num_classes=len(CLASS_NAMES),
        kind=TaskKind.SINGLE_LABEL,
        channels=3,
        class_names=CLASS_NAMES,
        homepage="http://ai.stanford.edu/~jkrause/cars/car_dataset.html",
        paper_title="3D Object Representations for Fine-Grained Categorization (Krause, Stark, Deng & "
        "Fei-Fei, 4th IEEE Workshop on 3D Representation and Recognition at ICCV 2013)",
        paper_url="https://ai.stanford.edu/~jkrause/papers/3drr13.pdf",
        license="for non-commercial research purposes only (terms stated on the homepage; the images "
        "are from the web)",
        artefacts=(
            Artefact(
                _IMAGES, "url", "http://ai.stanford.edu/~jkrause/car196/car_ims.tgz",
                md5="d5c8f0aa497503f355e17dc7886c3f14", extract=True,
            ),
            Artefact(
                _ANNOTATIONS, "url", "http://ai.stanford.edu/~jkrause/car196/cars_annos.mat",
                md5="b407c6086d669747186bd1d764ff9dbc",
            ),
        ),
        convert=convert,
        make_fixture=make_fixture,
        # 2: examples follow the tar's member order (1 sorted them by file name).
        version=2,
        split_rule="reference T3: the official train images (cars_annos.mat test == 0, 8,144) drawn "
        "train .70 / dev .15 / dev_test .15 (RandomState(0), in the tar's member order); the "
        "official test images (8,041) are the test split",
        notes="Whole images, as the reference stores them (the bounding boxes are not used). "
        "Images are read in the tar's member order and matched to their annotation by file name, "
        "as the reference does, so the split draw follows the same order as the paper's.",
    )
)
