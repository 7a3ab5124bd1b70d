"""The near-duplicate tier's MinHash LSH: datasketch's banding over plain dicts.

``BandIndex`` answers exactly as ``datasketch.MinHashLSH`` with the same
(bands, rows) does (an indexed key is a candidate when one of its bands
equals the query's), but a datasketch insert or query costs about 40 µs
(storage layers, a ``LeanMinHash`` object per article), and grouping does
both for every article, once per block and again for the final index. Here
a band is a slice of the MinHash values' bytes and a bucket a dict entry.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Iterator, Mapping

import numpy as np
import numpy.typing as npt

Values = npt.NDArray[np.uint32] | bytes


class BandIndex:
    """Keys by the bands of their MinHash values; ``query`` gives every key sharing a band.

    Entries can also be handed over in bulk with ``defer``: they are indexed
    on the next ``insert`` or ``query``, so a from-scratch run that only
    saves its index never builds it.
    """

    def __init__(self, bands: int, rows: int) -> None:
        self.bands, self.rows = bands, rows
        # A bucket holds one key, or a list once a second key arrives (most bands are unique).
        self.tables: list[dict[bytes, Hashable | list[Hashable]]] = [{} for _ in range(bands)]
        self._deferred: list[Mapping[str, bytes]] = []

    def _band_keys(self, values: Values) -> Iterator[bytes]:
        raw = values if isinstance(values, bytes) else values.tobytes()
        width = 4 * self.rows  # uint32 values
        return (raw[i * width : (i + 1) * width] for i in range(self.bands))

    def _add(self, key: Hashable, values: Values) -> None:
        for table, band in zip(self.tables, self._band_keys(values), strict=True):
            held = table.get(band)
            if held is None:
                table[band] = key
            elif isinstance(held, list):
                held.append(key)
            else:
                table[band] = [held, key]

    def _flush(self) -> None:
        while self._deferred:
            for key, values in self._deferred.pop(0).items():
                self._add(key, values)

    def defer(self, entries: Mapping[str, bytes]) -> None:
        """Index ``entries`` (key -> MinHash values as bytes) before the next insert or query."""
        self._deferred.append(entries)

    def insert(self, key: Hashable, values: Values) -> None:
        self._flush()
        self._add(key, values)

    def insert_many(self, items: Iterable[tuple[Hashable, Values]]) -> None:
        self._flush()
        for key, values in items:
            self._add(key, values)

    def query(self, values: Values) -> set[Hashable]:
        """Every indexed key that shares at least one band with ``values``."""
        self._flush()
        found: set[Hashable] = set()
        for table, band in zip(self.tables, self._band_keys(values), strict=True):
            held = table.get(band)
            if held is None:
                continue
            if isinstance(held, list):
                found.update(held)
            else:
                found.add(held)
        return found
