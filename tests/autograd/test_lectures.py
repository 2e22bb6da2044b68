"""The lectures' worked examples, with their own numbers (../shared/lectures)."""

import numpy as np

import autograd as ag


def test_lecture003_e_equals_a_plus_b_times_b_plus_1():
    """e = (a+b)(b+1) at a=2, b=1: e=6, ∂e/∂a=2, ∂e/∂b=5 (lecture 003)."""
    a = ag.tensor(2.0, requires_grad=True)
    b = ag.tensor(1.0, requires_grad=True)
    c = a + b
    d = b + 1
    e = c * d
    e.backward()
    assert (c.item(), d.item(), e.item()) == (3.0, 2.0, 6.0)
    assert a.grad.item() == 2.0
    assert b.grad.item() == 5.0  # two paths: ∂e/∂c·∂c/∂b + ∂e/∂d·∂d/∂b = 2·1 + 3·1


def test_lecture000_one_hidden_layer_delta_and_epsilon(rng):
    """∂L/∂w_j = (z−y)u_j and ∂L/∂v_ij = (z−y) w_j g'(r_j) x_i for L = ½(z−y)², z = s = Σ_j u_j w_j, u_j = g(r_j),
    r_j = Σ_i x_i v_ij (lecture 000; g = sigmoid)."""
    x = rng.standard_normal(4)
    y = 0.7
    V = ag.tensor(rng.standard_normal((4, 3)), dtype=ag.float64, requires_grad=True)
    w = ag.tensor(rng.standard_normal(3), dtype=ag.float64, requires_grad=True)
    r = ag.tensor(x) @ V
    u = r.sigmoid()
    z = u @ w
    L = 0.5 * (z - y) ** 2
    L.backward()

    rj = x @ V.array
    uj = 1 / (1 + np.exp(-rj))
    zv = uj @ w.array
    delta = zv - y
    g_prime = uj * (1 - uj)
    epsilon = delta * w.array * g_prime
    np.testing.assert_allclose(w.grad.numpy(), delta * uj, rtol=1e-12)
    np.testing.assert_allclose(V.grad.numpy(), np.outer(x, epsilon), rtol=1e-12)


def test_lecture001_matrix_form_backward_pass(rng):
    """Column-matrix backward pass (lecture 001): δ_out = ∂L/∂s, ∂L/∂W = δ h^T, δ_hidden = (W^T δ) ⊙ g'(r)."""
    x = rng.standard_normal((5, 1))
    W1 = ag.tensor(rng.standard_normal((4, 5)), dtype=ag.float64, requires_grad=True)
    W2 = ag.tensor(rng.standard_normal((2, 4)), dtype=ag.float64, requires_grad=True)
    target = rng.standard_normal((2, 1))
    h = (W1 @ ag.tensor(x)).tanh()
    out = W2 @ h
    L = ((out - ag.tensor(target)) ** 2).sum() / 2
    L.backward()
    hv = np.tanh(W1.array @ x)
    delta2 = W2.array @ hv - target
    delta1 = (W2.array.T @ delta2) * (1 - hv**2)
    np.testing.assert_allclose(W2.grad.numpy(), delta2 @ hv.T, rtol=1e-12)
    np.testing.assert_allclose(W1.grad.numpy(), delta1 @ x.T, rtol=1e-12)


def test_lecture004_eq19_sigmoid_chain(rng):
    """Four sigmoid neurons in a chain: ∂C/∂b1 = σ'(z1) w2 σ'(z2) w3 σ'(z3) w4 σ'(z4) ∂C/∂a4 (lecture 004, eq. 19),
    with C = ½(a4 − y)²."""
    a0, y = 0.8, 0.3
    w = [ag.tensor(v, dtype=ag.float64, requires_grad=True) for v in rng.uniform(-1, 1, 4)]
    b = [ag.tensor(v, dtype=ag.float64, requires_grad=True) for v in rng.uniform(-1, 1, 4)]
    a = ag.tensor(a0, dtype=ag.float64)
    zs = []
    for wi, bi in zip(w, b):
        z = wi * a + bi
        zs.append(z.item())
        a = z.sigmoid()
    C = 0.5 * (a - y) ** 2
    C.backward()

    def sig_prime(z):
        s = 1 / (1 + np.exp(-z))
        return s * (1 - s)

    dC_da4 = a.item() - y
    eq19 = (sig_prime(zs[0]) * w[1].item() * sig_prime(zs[1]) * w[2].item() * sig_prime(zs[2]) * w[3].item()
            * sig_prime(zs[3]) * dC_da4)
    np.testing.assert_allclose(b[0].grad.item(), eq19, rtol=1e-12)
    # each factor |w σ'(z)| ≤ 1/4 here, so the gradient shrinks toward the input: the vanishing gradient
    assert abs(b[0].grad.item()) < abs(b[3].grad.item())


def test_lecture003_cross_entropy_example():
    """target [0,0,0,1]: good prediction [.01,.01,.01,.96] costs 0.04, poor [.25]*4 costs 1.39 (lecture 003)."""
    target = ag.tensor([0.0, 0.0, 0.0, 1.0])
    good = ag.tensor([0.01, 0.01, 0.01, 0.96], requires_grad=True)
    poor = ag.tensor([0.25, 0.25, 0.25, 0.25], requires_grad=True)
    ce_good = -(target * good.log()).sum()
    ce_poor = -(target * poor.log()).sum()
    assert round(ce_good.item(), 2) == 0.04
    assert round(ce_poor.item(), 2) == 1.39
    ce_poor.backward()
    np.testing.assert_allclose(poor.grad.numpy(), [0, 0, 0, -4.0])  # ∂/∂ŷ_k of −log ŷ_k is −1/ŷ_k
