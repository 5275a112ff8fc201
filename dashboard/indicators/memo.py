"""Results computed once per distinct content of their input tables, in this process.

After an import of one kind, the pages compute their figures again on every table; what
depends only on the tables that did not change (the territories of the instances, the
facts of the plan's other fields) is found here by the content of those tables, so that
nothing can be served for data it was not computed from.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from typing import TypeVar

import pandas as pd

T = TypeVar("T")

#: Results kept (the latest ones; a few per département and kind of result).
MAX_RESULTS = 16
_RESULTS: OrderedDict[tuple, object] = OrderedDict()
_LOCK = threading.Lock()


def content_key(frames: Sequence[pd.DataFrame | None]) -> str | None:
    """A digest of the columns, dtypes and values of ``frames``; None when a value cannot
    be hashed (lists in cells): the caller then computes without the memo."""
    digest = hashlib.blake2b(digest_size=16)
    for frame in frames:
        if frame is None:
            digest.update(b"\x00absent")
            continue
        digest.update(repr((list(frame.columns), [str(t) for t in frame.dtypes],
                            len(frame))).encode())  # fmt: skip
        try:
            digest.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
        except TypeError:
            return None
    return digest.hexdigest()


def memoised(name: str, key: Hashable, frames: Sequence[pd.DataFrame | None],
             compute: Callable[[], T]) -> T:  # fmt: skip
    """``compute()`` for ``key`` and the content of ``frames``, computed once per distinct
    content. DataFrames come back as shallow copies (copy-on-write): a caller that changes
    its frame changes only its own."""
    digest = content_key(frames)
    if digest is None:
        return compute()
    full = (name, key, digest)
    with _LOCK:
        found = _RESULTS.get(full)
        if found is not None:
            _RESULTS.move_to_end(full)
    if found is None:
        found = compute()
        with _LOCK:
            _RESULTS[full] = found
            while len(_RESULTS) > MAX_RESULTS:
                _RESULTS.popitem(last=False)
    return _shallow(found)


def _shallow(value: T) -> T:
    if isinstance(value, pd.DataFrame):
        return value.copy(deep=False)
    if isinstance(value, tuple):
        return tuple(_shallow(v) for v in value)  # type: ignore[return-value]
    return value
