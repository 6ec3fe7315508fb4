"""A reference Singer executor: runs a tap with --state, saves its bookmarks via commit."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

TAP = Path(__file__).with_name("singer_tap.py")


@dataclass
class SingerRunResult:
    records: dict[str, list[dict]]
    committed: bool


def run_singer_job(extension, job_id: str, source: Path, workdir: Path) -> SingerRunResult:
    run = extension.begin_run(job_id)
    config = workdir / "config.json"
    config.write_text(json.dumps({"source": str(source)}))
    command = [sys.executable, str(TAP), "--config", str(config)]
    if run.state is not None:
        state_file = workdir / "state.json"
        state_file.write_text(json.dumps(run.state))
        command += ["--state", str(state_file)]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout

    records: dict[str, list[dict]] = {}
    last_state = None
    for line in output.splitlines():
        message = json.loads(line)
        if message["type"] == "RECORD":
            records.setdefault(message["stream"], []).append(message["record"])
        elif message["type"] == "STATE":
            last_state = message["value"]
    committed = last_state is not None and run.commit(last_state)
    return SingerRunResult(records, committed)
