"""Every reply to every question set, as JSON lines, to compare two versions of the code.

`python bench/replies.py > after.jsonl` here and in a checkout of the code before, then
`python bench/replies.py --compare before.jsonl after.jsonl` lists each question whose
band, passage or related passages changed (confidences are shown, not compared).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import yaml

ROOT = Path.cwd()
sys.path.insert(0, str(ROOT))

from chatbot.engine import Engine, policy_from  # noqa: E402
from chatbot.settings import Settings  # noqa: E402


def question_sets() -> list[tuple[Path, Path]]:
    sets = [
        (ROOT / "knowledge", path) for path in sorted((ROOT / "knowledge").glob("questions*.yaml"))
    ]
    for folder in sorted((ROOT / "examples").iterdir()):
        sets += [(folder, path) for path in sorted(folder.glob("questions*.yaml"))]
    return sets


def dump() -> None:
    policy = policy_from(Settings())
    for folder, path in question_sets():
        engine = Engine.build(folder, policy)
        for entry in yaml.safe_load(path.read_text()) or []:
            answer = engine.ask(str(entry["question"]))
            reply = {
                "set": str(path.relative_to(ROOT)),
                "question": entry["question"],
                "band": answer.band,
                "passage": answer.passage.id if answer.passage else None,
                "related": [p.id for p in answer.related],
                "confidence": round(answer.confidence, 4),
            }
            print(json.dumps(reply))


def compare(before: Path, after: Path) -> int:
    old = [json.loads(line) for line in before.read_text().splitlines()]
    new = [json.loads(line) for line in after.read_text().splitlines()]
    changed = 0
    for a, b in zip(old, new, strict=True):
        if (a["band"], a["passage"], a["related"]) != (b["band"], b["passage"], b["related"]):
            changed += 1
            print(f"{a['set']}: {a['question']!r}\n  before {a}\n  after  {b}")
    drift = max(abs(a["confidence"] - b["confidence"]) for a, b in zip(old, new, strict=True))
    print(f"{len(old)} replies, {changed} changed; largest confidence change {drift:.4f}")
    return changed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("BEFORE", "AFTER"))
    args = parser.parse_args()
    if args.compare:
        sys.exit(1 if compare(*args.compare) else 0)
    dump()


if __name__ == "__main__":
    main()
