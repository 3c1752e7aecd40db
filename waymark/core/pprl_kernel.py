"""The PPRL comparison kernel, compiled with numba (``waymark.core.pprl`` imports it on first use).

Dice similarity of packed Bloom filters (``pprl.pack``: ``FILTER_WORDS`` uint64 words each), in
parallel over the rows of the left matrix. Figures in docs/matching.md.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from numba import njit, prange

# The words of one filter (``pprl.FILTER_WORDS``, 1,024 bits): a literal here, so that LLVM unrolls
# the inner loop, and so that this module imports nothing of ``pprl`` (which imports it).
FILTER_WORDS = 16

# Popcount written as the SWAR bit trick on uint64; LLVM turns it into the popcnt instruction on
# the host CPU. Constants are uint64 so numba never promotes the arithmetic to float.
_M1 = np.uint64(0x5555555555555555)
_M2 = np.uint64(0x3333333333333333)
_M4 = np.uint64(0x0F0F0F0F0F0F0F0F)
_H01 = np.uint64(0x0101010101010101)
_S1, _S2, _S4, _S56 = np.uint64(1), np.uint64(2), np.uint64(4), np.uint64(56)


@njit(inline="always", cache=True)
def _popcount(x: np.uint64) -> np.uint64:  # pragma: no cover - compiled
    x = x - ((x >> _S1) & _M1)
    x = (x & _M2) + ((x >> _S2) & _M2)
    x = (x + (x >> _S4)) & _M4
    return (x * _H01) >> _S56


@njit(cache=True)
def counts(a: npt.NDArray[np.uint64]) -> npt.NDArray[np.int32]:  # pragma: no cover - compiled
    out = np.empty(a.shape[0], dtype=np.int32)
    for i in range(a.shape[0]):
        c = np.uint64(0)
        for w in range(a.shape[1]):
            c += _popcount(a[i, w])
        out[i] = np.int32(c)
    return out


@njit(parallel=True, cache=True)
def dice_matrix(
    a: npt.NDArray[np.uint64], ca: npt.NDArray[np.int32], b: npt.NDArray[np.uint64], cb: npt.NDArray[np.int32]
) -> npt.NDArray[np.float32]:  # pragma: no cover - compiled
    out = np.empty((a.shape[0], b.shape[0]), dtype=np.float32)
    for i in prange(a.shape[0]):
        for j in range(b.shape[0]):
            inter = np.uint64(0)
            for w in range(a.shape[1]):
                inter += _popcount(a[i, w] & b[j, w])
            total = ca[i] + cb[j]
            out[i, j] = np.float32(0.0) if total == 0 else np.float32(2.0 * np.float64(inter) / total)
    return out


@njit(parallel=True, cache=True)
def top_k(
    a: npt.NDArray[np.uint64],
    ca: npt.NDArray[np.int32],
    b: npt.NDArray[np.uint64],
    cb: npt.NDArray[np.int32],
    threshold: float,
    idx: npt.NDArray[np.int64],
    score: npt.NDArray[np.float32],
) -> None:  # pragma: no cover - compiled
    k = idx.shape[1]
    for i in prange(a.shape[0]):
        row = a[i]
        for t in range(k):
            idx[i, t] = -1
            score[i, t] = np.float32(-1.0)
        worst = 0
        floor = np.float32(threshold)
        for j in range(b.shape[0]):
            total = ca[i] + cb[j]
            if total == 0:
                continue
            inter = np.uint64(0)
            # A literal trip count (FILTER_WORDS): LLVM unrolls it into 16 popcnt instructions.
            for w in range(FILTER_WORDS):
                inter += _popcount(row[w] & b[j, w])
            s = np.float32(2.0 * np.float64(inter) / total)
            if s >= floor and s > score[i, worst]:
                idx[i, worst] = j
                score[i, worst] = s
                worst = 0
                for t in range(1, k):
                    if score[i, t] < score[i, worst]:
                        worst = t
