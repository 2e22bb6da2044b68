"""Which of several equal values torch's CPU kernels pick: their selection and sorting algorithms, replayed.

topk, kthvalue and mode return an index with each value, and the gradient goes to that index. Among equal values the
index is whatever torch's algorithm leaves in place: ATen's own quickselect for kthvalue; for topk and mode, the C++
library's ``nth_element``, ``partial_sort`` and ``sort`` (libstdc++'s introselect, heap select and introsort, as in
torch's Linux builds). To send the gradient where torch sends it, these functions replay the same steps on a Python
list of ``(value, index)`` pairs. They are slow (Python, one slice at a time): callers use them only for the slices
whose answer depends on ties, and NumPy elsewhere.

``less(a, b)`` compares two pairs, as the C++ comparators do (on values only).
"""

from __future__ import annotations

import math
from collections.abc import Callable

Pair = tuple
Less = Callable[[Pair, Pair], bool]

_THRESHOLD = 16  # libstdc++'s _S_threshold: introsort leaves runs this short to a final insertion sort


def greater_nan_first(a: Pair, b: Pair) -> bool:
    """topk(largest=True) and kthvalue's order: NaN above everything, then larger values first."""
    return (math.isnan(a[0]) and not math.isnan(b[0])) or a[0] > b[0]


def less_nan_last(a: Pair, b: Pair) -> bool:
    """topk(largest=False)'s order: smaller values first, NaN after everything."""
    return (not math.isnan(a[0]) and math.isnan(b[0])) or a[0] < b[0]


def less_value(a: Pair, b: Pair) -> bool:
    """mode's order: the plain ``<`` on values."""
    return a[0] < b[0]


# ---- ATen's quickselect (kthvalue) --------------------------------------------------------------------------------
def quickselect(v: list, k: int, gt: Callable[[float, float], bool]) -> list:
    """ATen's ``quick_select_template`` (Sedgewick's partition, median of three): ``v`` rearranged in place so that
    ``v[k]`` is the k-th smallest under ``gt``."""
    left, right = 0, len(v) - 1
    while right > left:
        if right == left + 1:
            if gt(v[left][0], v[right][0]):
                v[left], v[right] = v[right], v[left]
            return v
        p = (left + right) >> 1
        v[p], v[left + 1] = v[left + 1], v[p]
        if gt(v[left + 1][0], v[right][0]):
            v[left + 1], v[right] = v[right], v[left + 1]
        if gt(v[left][0], v[right][0]):
            v[left], v[right] = v[right], v[left]
        if gt(v[left + 1][0], v[left][0]):
            v[left + 1], v[left] = v[left], v[left + 1]
        i, j, pivot = left + 1, right, v[left][0]
        while True:
            i += 1
            while gt(pivot, v[i][0]):
                i += 1
            j -= 1
            while gt(v[j][0], pivot):
                j -= 1
            if j < i:
                break
            v[i], v[j] = v[j], v[i]
        v[left], v[j] = v[j], v[left]
        if j <= k:
            left = i
        if j >= k:
            right = j - 1
    return v


def gt_nan_first(x: float, y: float) -> bool:
    return (math.isnan(x) and not math.isnan(y)) or x > y


# ---- libstdc++ (topk, mode) ---------------------------------------------------------------------------------------
def nth_element(v: list, nth: int, less: Less) -> None:
    """``std::nth_element(v.begin(), v.begin() + nth, v.end(), less)``: introselect."""
    first, last = 0, len(v)
    if first == last or nth == last:
        return
    depth = 2 * ((last - first).bit_length() - 1)
    while last - first > 3:
        if depth == 0:
            _heap_select(v, first, nth + 1, last, less)
            v[first], v[nth] = v[nth], v[first]
            return
        depth -= 1
        cut = _partition_pivot(v, first, last, less)
        if cut <= nth:
            first = cut
        else:
            last = cut
    _insertion_sort(v, first, last, less)


def sort(v: list, first: int, last: int, less: Less) -> None:
    """``std::sort(v.begin() + first, v.begin() + last, less)``: introsort, then a final insertion sort."""
    if last - first > 1:
        _introsort_loop(v, first, last, 2 * ((last - first).bit_length() - 1), less)
        if last - first > _THRESHOLD:
            _insertion_sort(v, first, first + _THRESHOLD, less)
            for i in range(first + _THRESHOLD, last):
                _linear_insert(v, i, less)
        else:
            _insertion_sort(v, first, last, less)


def partial_sort(v: list, middle: int, less: Less) -> None:
    """``std::partial_sort(v.begin(), v.begin() + middle, v.end(), less)``: heap select, then heap sort."""
    _heap_select(v, 0, middle, len(v), less)
    _sort_heap(v, 0, middle, less)


def _introsort_loop(v: list, first: int, last: int, depth: int, less: Less) -> None:
    while last - first > _THRESHOLD:
        if depth == 0:
            _heap_select(v, first, last, last, less)
            _sort_heap(v, first, last, less)
            return
        depth -= 1
        cut = _partition_pivot(v, first, last, less)
        _introsort_loop(v, cut, last, depth, less)
        last = cut


def _partition_pivot(v: list, first: int, last: int, less: Less) -> int:
    mid = first + (last - first) // 2
    _median_to_first(v, first, first + 1, mid, last - 1, less)
    lo, hi, pivot = first + 1, last, v[first]
    while True:
        while less(v[lo], pivot):
            lo += 1
        hi -= 1
        while less(pivot, v[hi]):
            hi -= 1
        if not lo < hi:
            return lo
        v[lo], v[hi] = v[hi], v[lo]
        lo += 1


def _median_to_first(v: list, result: int, a: int, b: int, c: int, less: Less) -> None:
    if less(v[a], v[b]):
        m = b if less(v[b], v[c]) else c if less(v[a], v[c]) else a
    elif less(v[a], v[c]):
        m = a
    elif less(v[b], v[c]):
        m = c
    else:
        m = b
    v[result], v[m] = v[m], v[result]


def _insertion_sort(v: list, first: int, last: int, less: Less) -> None:
    for i in range(first + 1, last):
        if less(v[i], v[first]):
            v[first:i + 1] = [v[i]] + v[first:i]
        else:
            _linear_insert(v, i, less)


def _linear_insert(v: list, last: int, less: Less) -> None:
    val = v[last]
    while less(val, v[last - 1]):
        v[last] = v[last - 1]
        last -= 1
    v[last] = val


def _heap_select(v: list, first: int, middle: int, last: int, less: Less) -> None:
    _make_heap(v, first, middle, less)
    for i in range(middle, last):
        if less(v[i], v[first]):
            _pop_heap(v, first, middle, i, less)


def _sort_heap(v: list, first: int, last: int, less: Less) -> None:
    while last - first > 1:
        last -= 1
        _pop_heap(v, first, last, last, less)


def _make_heap(v: list, first: int, last: int, less: Less) -> None:
    n = last - first
    if n < 2:
        return
    for parent in range((n - 2) // 2, -1, -1):
        _adjust_heap(v, first, parent, n, v[first + parent], less)


def _pop_heap(v: list, first: int, last: int, result: int, less: Less) -> None:
    val = v[result]
    v[result] = v[first]
    _adjust_heap(v, first, 0, last - first, val, less)


def _adjust_heap(v: list, first: int, hole: int, n: int, val: Pair, less: Less) -> None:
    top = child = hole
    while child < (n - 1) // 2:
        child = 2 * (child + 1)
        if less(v[first + child], v[first + child - 1]):
            child -= 1
        v[first + hole] = v[first + child]
        hole = child
    if n % 2 == 0 and child == (n - 2) // 2:
        child = 2 * (child + 1)
        v[first + hole] = v[first + child - 1]
        hole = child - 1
    parent = (hole - 1) // 2
    while hole > top and less(v[first + parent], val):
        v[first + hole] = v[first + parent]
        hole = parent
        parent = (hole - 1) // 2
    v[first + hole] = val


# ---- what the kernels do with them --------------------------------------------------------------------------------
def topk(values: list, k: int, largest: bool, sorted: bool) -> list:
    """torch's CPU topk on one slice: the ``k`` chosen ``(value, index)`` pairs, in torch's order."""
    v = [(x, i) for i, x in enumerate(values)]
    less = greater_nan_first if largest else less_nan_last
    if k * 64 <= len(v):
        partial_sort(v, k, less)
    else:
        nth_element(v, k - 1, less)
        if sorted:
            sort(v, 0, k - 1, less)
    return v[:k]


def kthvalue(values: list, k: int) -> Pair:
    """torch's CPU kthvalue on one slice: the k-th smallest (1-based) ``(value, index)``."""
    return quickselect([(x, i) for i, x in enumerate(values)], k - 1, gt_nan_first)[k - 1]


def mode(values: list) -> Pair:
    """torch's CPU mode on one slice: the most frequent value (the smallest of equally frequent ones) and the index
    that is last in its run after ``std::sort``."""
    v = [(x, i) for i, x in enumerate(values)]
    sort(v, 0, len(v), less_value)
    best, run, count = v[0], 0, 0
    for i, pair in enumerate(v):
        run += 1
        if i == len(v) - 1 or pair[0] != v[i + 1][0]:
            if run > count:
                best, count = pair, run
            run = 0
    return best
