"""Figures computed once per data version, stored in the workspace for every process.

A page view after an import recomputes indicators, findings and fiches. With several
replicas (and several Streamlit processes), each would pay it again. A *snapshot* is a
named result stored in the table ``instantanes`` under the workspace revision
(:meth:`~dashboard.store.workspace.Workspace.revision`): the first request that needs it
computes it under the write lock of its name, the others wait for it and read it. An
import changes the revision, so a snapshot is never served for data it was not computed
from; an import that fails changes nothing, so the previous snapshots stay in force.

Values are packed without pickle: a zip holding ``meta.json`` (JSON values) and one Arrow
IPC file per DataFrame.
"""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.ipc as ipc

#: Snapshot revisions kept in the table (the current one and the previous ones).
KEPT_REVISIONS = 3
#: What the code puts in a snapshot, part of its name: bump it when a change of the code
#: changes a snapshot's content for the same data (labels, columns), so that an upgraded
#: app never serves figures computed by the previous code (3: French labels of
#: ``schemas.LABELS``).
FORMAT = "3"


def pack(value: dict[str, Any]) -> bytes:
    """Bytes of a dict whose values are DataFrames or JSON-able values."""
    out = io.BytesIO()
    meta: dict[str, Any] = {}
    frames = []
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for key, item in value.items():
            if isinstance(item, pd.DataFrame):
                frames.append(key)
                item, nested = _nested_as_json(item)
                if nested:
                    meta.setdefault("_json_columns", {})[key] = nested
                sink = io.BytesIO()
                table = pa.Table.from_pandas(item, preserve_index=False)
                with ipc.new_file(sink, table.schema) as writer:
                    writer.write_table(table)
                archive.writestr(f"{len(frames)}.arrow", sink.getvalue())
            else:
                meta[key] = item
        archive.writestr("meta.json", json.dumps({"values": meta, "frames": frames},
                                                 ensure_ascii=False, default=str))  # fmt: skip
    return out.getvalue()


def unpack(data: bytes) -> dict[str, Any]:
    """The dict packed by :func:`pack`."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        meta = json.loads(archive.read("meta.json"))
        value: dict[str, Any] = dict(meta["values"])
        nested = value.pop("_json_columns", {})
        for i, key in enumerate(meta["frames"], start=1):
            with ipc.open_file(io.BytesIO(archive.read(f"{i}.arrow"))) as reader:
                frame = reader.read_all().to_pandas()
            for column in nested.get(key, []):
                frame[column] = [None if v is None else json.loads(v) for v in frame[column]]
            value[key] = frame
    return value


def _nested_as_json(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Object columns holding lists or dicts (an action's indicators), as JSON text."""
    nested = [
        column for column in frame.columns
        if frame[column].dtype == object
        and any(isinstance(v, list | dict | tuple) for v in frame[column].head(200))
    ]  # fmt: skip
    if not nested:
        return frame, []
    frame = frame.copy()
    for column in nested:
        frame[column] = [
            None if v is None or (isinstance(v, float) and v != v)
            else json.dumps(list(v) if isinstance(v, tuple) else v, ensure_ascii=False,
                            default=str)
            for v in frame[column]
        ]  # fmt: skip
    return frame, nested
