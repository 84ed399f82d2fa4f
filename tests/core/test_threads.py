"""The thread count chosen by measurement (core/base/threads.py)."""

from __future__ import annotations

from translator_app.core.base import threads
from translator_app.core.base.threads import ThreadChooser


def run(chooser: ThreadChooser, speed: dict[int, float], steps: int) -> list[int]:
    """Feed ``steps`` steps of 1,000 tokens at ``speed[count]`` tokens/s; the counts used, in turn."""
    used = []
    for _ in range(steps):
        count = chooser.torch.threads
        used.append(count)
        chooser.after_step(1000, 1000 / speed[count])
    return used


class Torch:
    threads = 0

    def set(self, n: int) -> None:
        self.threads = n


def make(counts=(2, 1)) -> ThreadChooser:
    torch_ = Torch()
    chooser = ThreadChooser(counts, set_threads=torch_.set)
    chooser.torch = torch_
    return chooser


def test_keeps_all_cores_on_a_quiet_machine():
    chooser = make()
    used = run(chooser, {2: 10_000, 1: 6_000}, 2000)
    assert chooser.current == 2 and not chooser.switches
    trial_share = used.count(1) / len(used)
    assert 0 < trial_share < 0.03  # the trials cost little


def test_moves_to_one_thread_when_busy_and_back_when_quiet():
    chooser = make()
    run(chooser, {2: 2_400, 1: 3_100}, threads.WARMUP_STEPS + 2 * threads.TRIAL_STEPS + 1)
    assert chooser.current == 1
    run(chooser, {2: 10_000, 1: 6_000}, threads.PERIOD_STEPS + 2 * threads.TRIAL_STEPS + 1)
    assert chooser.current == 2
    assert [count for _, count in chooser.switches] == [1, 2]


def test_small_differences_do_not_switch():
    chooser = make()
    run(chooser, {2: 10_000, 1: 10_500}, 3000)
    assert chooser.current == 2


def test_one_core_means_no_trials():
    chooser = make((1, 1))
    assert not chooser.active
    run(chooser, {1: 5_000}, 100)
    assert chooser.current == 1
