"""retain_grad's hook runs after the tensor's other hooks, whatever the order they were registered in (as in torch),
so .grad holds the gradient the hooks returned."""

import numpy as np
import pytest

import autograd as ag


@pytest.mark.parametrize("retain_first", [True, False])
def test_retained_grad_sees_what_hooks_return(retain_first):
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    h = x * 2
    if retain_first:
        h.retain_grad()
    handle = h.register_hook(lambda g: g * 2)
    if not retain_first:
        h.retain_grad()
    (h ** 2).sum().backward(retain_graph=True)
    # d/dh sum(h^2) = 2h = [4, 8], doubled by the hook; x's gradient is twice that
    np.testing.assert_array_equal(h.grad.numpy(), [8.0, 16.0])
    np.testing.assert_array_equal(x.grad.numpy(), [16.0, 32.0])
    handle.remove()
    h.grad = x.grad = None
    (h ** 2).sum().backward()
    np.testing.assert_array_equal(h.grad.numpy(), [4.0, 8.0])
