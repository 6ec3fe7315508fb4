"""A small Singer tap, run as a program: ``singer_tap.py --config C [--state S]``.

It reads its "source" from the JSON file the config names,
``{"streams": {name: [record, ...]}}``, each record with an ``updated_at``,
and writes Singer messages to stdout as the spec defines them: SCHEMA, then a
RECORD for every record newer than the stream's bookmark, and a STATE after
each stream carrying the bookmarks so far (``currently_syncing`` set while a
stream syncs).
"""

import argparse
import json
import sys


def emit(message: dict) -> None:
    sys.stdout.write(json.dumps(message) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", required=True)
    parser.add_argument("--state")
    args = parser.parse_args()
    with open(args.config) as file:
        config = json.load(file)
    with open(config["source"]) as file:
        streams = json.load(file)["streams"]
    state = {}
    if args.state:
        with open(args.state) as file:
            state = json.load(file)
    bookmarks = dict(state.get("bookmarks", {}))

    for stream, records in sorted(streams.items()):
        emit(
            {
                "type": "SCHEMA",
                "stream": stream,
                "schema": {"type": "object", "properties": {"id": {"type": "integer"}}},
                "key_properties": ["id"],
                "bookmark_properties": ["updated_at"],
            }
        )
        emit({"type": "STATE", "value": {"bookmarks": bookmarks, "currently_syncing": stream}})
        since = bookmarks.get(stream, {}).get("replication_key_value")
        newest = since
        for record in sorted(records, key=lambda r: r["updated_at"]):
            if since is None or record["updated_at"] > since:
                emit({"type": "RECORD", "stream": stream, "record": record})
                newest = record["updated_at"]
        if newest is not None:
            bookmarks[stream] = {"replication_key": "updated_at", "replication_key_value": newest}
        emit({"type": "STATE", "value": {"bookmarks": bookmarks, "currently_syncing": None}})


if __name__ == "__main__":
    main()
