"""``torch.backends``: what tutorials query. ``mps`` and ``cuda`` are never available here; ``cudnn``'s flags can be
set (scripts set ``deterministic``/``benchmark``) and change nothing, since pathgrad's results are deterministic."""

from types import SimpleNamespace


def _false() -> bool:
    return False


mps = SimpleNamespace(is_available=_false, is_built=_false)
cuda = SimpleNamespace(is_built=_false)
cudnn = SimpleNamespace(is_available=_false, enabled=False, deterministic=False, benchmark=False)
