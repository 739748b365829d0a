"""The crash campaign at scale: SIGKILL ingest, retract, build, a Graph Store PUT and /api/ingest at N random
moments each (tests/crashes.py does the work; tests/test_crash.py runs two moments each).

    .venv/bin/python -u benchmarks/crash_campaign.py --moments 100 [--triples 20000] [--seed 18] [--ops put ...]

Prints one line per operation (kills; store found as before / as after; other) and exits 1 if any kill left
the store neither before nor after, or unopenable.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from crashes import OPERATIONS, run  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moments", type=int, default=100)
    parser.add_argument("--triples", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument("--ops", nargs="+", default=list(OPERATIONS), choices=OPERATIONS)
    args = parser.parse_args()
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="crash-campaign-") as work:
        results = run(Path(work), args.moments, seed=args.seed, triples=args.triples,
                      operations=tuple(args.ops))
        others = [o for c in results for o in c.other]
        for other in others:
            print("  other:", other)
    print(f"{sum(c.kills for c in results)} kills in {time.monotonic() - start:.0f} s, {len(others)} other")
    return 1 if others else 0


if __name__ == "__main__":
    sys.exit(main())
