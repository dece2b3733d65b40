#!/usr/bin/env python3
"""Generates a synthetic mediaform project for benchmarks and scale tests.

    Scripts/generate-project.py DIR --assets 100000 [--files 100] [--seed 1]

Realistic field sizes: titles of 20-80 characters (some CJK), descriptions of 0-250 bytes on 60%, 2-6 tags, categories,
covers on a third of the assets, dynamic metadata on half, a workflow in the defaults. Deterministic for a seed.
"""
import argparse
import os
import random

WORDS = ("lesson intro advanced swift design color typography interview podcast keynote workshop review "
         "episode chapter summary deep dive live session recap tutorial demo basics testing concurrency").split()
CJK = "季度回顾课程设计访谈直播总结演示基础进阶"


def sentence(rng, lo, hi):
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(lo, hi)))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("directory")
    parser.add_argument("--assets", type=int, default=10000)
    parser.add_argument("--files", type=int, default=0, help="asset files (default: one per 1000 assets)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    files = args.files or max(1, args.assets // 1000)
    os.makedirs(os.path.join(args.directory, "assets"), exist_ok=True)
    with open(os.path.join(args.directory, "mediaform.yaml"), "w") as f:
        f.write("version: 1\nregion: cn-shanghai\nendpoint: emulator\nmanifests: [\"assets/**/*.yaml\"]\n"
                "defaults:\n  category: 1000\n  tags: [catalogue]\n  workflow: b72a06c6beeb4dcdb898feef067b1abc\n")
    per_file = (args.assets + files - 1) // files
    n = 0
    for fi in range(files):
        sub = os.path.join(args.directory, "assets", f"part-{fi // 100:03d}")
        os.makedirs(sub, exist_ok=True)
        lines = ["assets:\n"]
        for _ in range(per_file):
            if n >= args.assets:
                break
            ext = rng.choice(["mp4", "mp4", "mov", "mp3", "m4a"])
            title = sentence(rng, 3, 9).title()[:80]
            if n % 7 == 0:
                title = CJK[: rng.randint(4, 12)] + " " + title[:40]
            lines.append(f"  - key: media/{n:07d}\n")
            lines.append(f"    source: https://cdn.example.com/library/{n // 1000:04d}/{n:07d}-{rng.choice(WORDS)}.{ext}\n")
            lines.append(f"    title: \"{title}\"\n")
            if rng.random() < 0.6:
                lines.append(f"    description: {sentence(rng, 3, 30)}\n")
            lines.append("    tags: [" + ", ".join(sorted({rng.choice(WORDS) for _ in range(rng.randint(2, 6))})) + "]\n")
            lines.append(f"    category: {rng.randint(1000, 1050)}\n")
            if n % 3 == 0:
                lines.append(f"    cover: https://cdn.example.com/covers/{n:07d}.jpg\n")
            if n % 2 == 0:
                lines.append(f"    metadata: {{ Uploader: {rng.choice(['alice', 'bob', 'carol'])}, Lesson: {n % 40} }}\n")
            n += 1
        with open(os.path.join(sub, f"assets-{fi:05d}.yaml"), "w") as f:
            f.writelines(lines)
    print(f"generated {n} assets in {files} files under {args.directory}")


if __name__ == "__main__":
    main()
