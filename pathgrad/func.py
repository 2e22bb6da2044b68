"""``torch.func``: the function transforms (autograd.func) and ``functional_call`` (nn.utils.stateless)."""

from autograd.func import grad, grad_and_value, hessian, jacfwd, jacrev, vmap
from nn.utils.stateless import functional_call

__all__ = ["functional_call", "grad", "grad_and_value", "hessian", "jacfwd", "jacrev", "vmap"]
