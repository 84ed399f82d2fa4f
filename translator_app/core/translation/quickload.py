"""Loading a model without initialising it: :func:`skip_init`, used by the one model loader
(:meth:`translator_app.core.translation.translator.Translator.load` and the Translator's constructor).

Without it a load spends most of a cold start on parameter *initialisation* that the
loaded weights overwrite anyway:

* the shape check (``checkpoint.expected_shapes``) builds the model on the meta device; ``nn.init.normal_`` on a meta tensor
  runs ``torch._refs.normal_``, whose ``_disable_dynamo`` wrapper imports ``torch._dynamo`` and
  with it ~830 modules (sympy, mpmath, …): 1.3–1.4 s on 2 cores, on every start;
* the real model is then randomly initialised (uniform/normal over 5M parameters) before
  ``load_state_dict`` replaces every value.

:func:`skip_init` is a torch-function mode (thread-local: other threads, e.g. a running
training, are not affected) under which ``torch.nn.init.*`` and the in-place random/fill
tensor methods return their tensor untouched.  Under it the shape check and the model
construction cost milliseconds; every parameter and persistent buffer still comes from the
bundle (``load_state_dict`` is strict), so the model is the same, bit for bit
(``tests/test_quickload.py``).  Measured on the 2-core machine, ``models/en-es``: a cold load
0.66 s instead of 2.1 s, a warm one 0.29 s instead of 0.59 s.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

_FILLS = frozenset(
    {
        "uniform_",
        "normal_",
        "zero_",
        "fill_",
        "bernoulli_",
        "random_",
        "exponential_",
        "cauchy_",
        "log_normal_",
        "geometric_",
        "orthogonal_",
    }
)


def _mode_class():
    from torch.overrides import TorchFunctionMode

    class SkipInit(TorchFunctionMode):
        def __torch_function__(self, func, _types, args=(), kwargs=None):
            if getattr(func, "__module__", None) == "torch.nn.init" or getattr(func, "__name__", "") in _FILLS:
                return args[0] if args else None
            return func(*args, **(kwargs or {}))

    return SkipInit


@contextlib.contextmanager
def skip_init() -> Iterator[None]:
    """Within the block (this thread only), parameter initialisation is a no-op: use it only
    around code that then loads every parameter from a state dict."""
    with _mode_class()():
        yield
