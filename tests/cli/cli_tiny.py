"""The tiny run the CLI tests share: two tasks of the demo stream, a few steps each."""

TINY = ["--set", "options.backbone=small_cnn", "--set", "options.image_size=16", "--set", "options.max_steps=6",
        "--set", "options.validate_every=3", "--set", "options.trials=1", "--set", "options.batch_size=32",
        "--set", "stream.stop_year=1999"]
