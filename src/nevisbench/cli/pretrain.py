"""`nevisbench pretrain`: train a backbone on datasets and write a checkpoint for ``options.init_from``."""

from __future__ import annotations

import argparse
from pathlib import Path

from nevisbench.cli import arguments
from nevisbench.cli.console import console, progress_bar


def cmd_pretrain(args: argparse.Namespace) -> int:
    from nevisbench.data.prepare import prepare_dataset
    from nevisbench.learners.pretrained import PretrainConfig, pretrain
    from nevisbench.protocol.runner import resolve_device
    from nevisbench.reporting.format import format_flops

    if args.stream:
        from nevisbench.streams.stream import build_stream

        names = list(dict.fromkeys(build_stream(args.stream).datasets))
    else:
        names = args.dataset
    config = PretrainConfig(backbone=args.backbone, max_steps=args.steps, lr=args.lr,
                            label_smoothing=args.label_smoothing, image_size=args.image_size,
                            batch_size=args.batch_size, validate_every=args.validate_every,
                            data_parallel=args.data_parallel)
    device = resolve_device(args.device)
    datasets = []
    for name in names:
        console.print(f"preparing {name}")
        datasets.append(prepare_dataset(name, resolution=args.resolution)[0])
    with progress_bar() as bar:
        job = bar.add_task("pretraining", total=None)

        def on_progress(info: dict) -> None:
            dev = f" dev error {info['dev_error']:.3f}" if "dev_error" in info else ""
            bar.update(job, total=info["max_steps"], completed=info["step"],
                       description=f"{info['dataset']} step {info['step']}/{info['max_steps']}{dev}")

        record = pretrain(datasets, config, Path(args.out), seed=args.seed, device=device, progress=on_progress)
    for fit in record["fits"]:
        console.print(f"  {fit['dataset']}: best dev error {fit['best_dev_error']:.4f} at step {fit['best_step']}")
    console.print(f"wrote {args.out} ({config.backbone}; {format_flops(record['flops']['total'])}); use it with "
                  f"`--set options.init_from={args.out} --set options.backbone={config.backbone}`")
    return 0


def add_commands(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser("pretrain", help="train a backbone on datasets and write a checkpoint for init_from")
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--dataset", action="append", help="a dataset id (repeat for several, in order)")
    what.add_argument("--stream", help="every dataset of this stream, in stream order (first occurrences)")
    p.add_argument("--out", required=True, help="the checkpoint file to write (a .json record goes beside it)")
    p.add_argument("--backbone", default="resnet18", help="a registered backbone (default resnet18)")
    p.add_argument("--steps", type=int, default=50_000, help="steps per dataset (default 50000)")
    p.add_argument("--lr", type=float, default=0.1, help="peak learning rate (default 0.1)")
    p.add_argument("--label-smoothing", type=float, default=0.0)
    p.add_argument("--image-size", type=int, default=64, help="input side (default 64)")
    # positive_int: 0 would silently read as "adaptive" further down.
    p.add_argument("--batch-size", type=arguments.positive_int, help="default: the adaptive rule")
    p.add_argument("--validate-every", type=int, default=1000)
    p.add_argument("--resolution", type=int, default=96, help="store resolution when a dataset is prepared")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--device", default="auto", help="auto, cpu or cuda[:N]")
    p.add_argument("--data-parallel", type=arguments.positive_int, default=1, metavar="N",
                   help="train with N processes under DDP, each on 1/N of every batch (gloo on CPU, one GPU "
                   "each on CUDA; the batch size must divide by N)")
    p.set_defaults(func=cmd_pretrain)
