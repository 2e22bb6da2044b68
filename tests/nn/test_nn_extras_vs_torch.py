"""Optional: the nn extras against PyTorch (skipped without it): values and gradients of the activations, distances
and losses, module reprs, hook order, parametrized modules' state_dict keys, and torch checkpoints of weight-normed
and spectral-normed layers loading into ours with the same outputs."""

import warnings

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F
import nn.utils.parametrize as P
from nn.utils.parametrizations import spectral_norm, weight_norm

torch = pytest.importorskip("torch")
TF = torch.nn.functional
TP = torch.nn.utils.parametrize


def pair(array):
    """The same float64 values as a leaf of ours and a leaf of torch's."""
    return ag.tensor(array, dtype=ag.float64, requires_grad=True), torch.tensor(array, requires_grad=True)


def assert_same(ours, theirs, rtol=1e-10, atol=1e-12):
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=rtol, atol=atol)


def compare(fn_ours, fn_torch, *arrays, seed=0, rtol=1e-10):
    """Values, and gradients for a random upstream gradient, of fn on the same inputs."""
    ours, theirs = zip(*(pair(a) for a in arrays))
    y, ty = fn_ours(*ours), fn_torch(*theirs)
    assert tuple(y.shape) == tuple(ty.shape) and ty.dtype == torch.float64 and y.dtype == np.float64
    assert_same(y, ty, rtol)
    g = np.random.default_rng(seed).standard_normal(tuple(ty.shape))
    y.backward(ag.tensor(g, dtype=ag.float64))
    ty.backward(torch.tensor(g))
    for a, b in zip(ours, theirs):
        assert (a.grad is None) == (b.grad is None)
        if a.grad is not None:
            assert_same(a.grad, b.grad, rtol)


X = np.random.default_rng(1).standard_normal((4, 6)) * 3
KINKS = np.array([-6.0, -3.0, -1.0, -0.5, 0.0, 0.5, 1.0, 3.0, 6.0, 0.2, -20.0, 25.0])

ACTIVATIONS = [  # (name, positional args after the input, keyword args)
    ("hardtanh", (), {}), ("hardtanh", (-0.5, 2.0), {}), ("relu6", (), {}), ("hardsigmoid", (), {}),
    ("hardswish", (), {}), ("selu", (), {}), ("celu", (0.7,), {}), ("mish", (), {}), ("softsign", (), {}),
    ("tanhshrink", (), {}), ("threshold", (0.2, -3.0), {}), ("softshrink", (), {}), ("softshrink", (0.7,), {}),
    ("hardshrink", (), {}), ("logsigmoid", (), {}), ("softmin", (), {"dim": 1}), ("glu", (), {}),
    ("glu", (), {"dim": 0}), ("rrelu", (), {}), ("gelu", (), {"approximate": "tanh"}), ("silu", (), {}),
    ("softplus", (), {"beta": 2.0, "threshold": 5.0}), ("elu", (), {"alpha": 0.5}),
]


@pytest.mark.parametrize("name, args, kwargs", ACTIVATIONS, ids=[f"{n}{a}{k}" for n, a, k in ACTIVATIONS])
def test_activations_match_torch(name, args, kwargs):
    # torch's celu and hardsigmoid differentiate with float32 constants (1/alpha, 1/6), even for float64
    rtol = 1e-7 if name in ("celu", "hardsigmoid") else 1e-10
    ours, theirs = (lambda x: getattr(F, name)(x, *args, **kwargs)), (lambda x: getattr(TF, name)(x, *args, **kwargs))
    compare(ours, theirs, X, rtol=rtol)
    if name not in ("glu", "softmin"):  # the derivatives at the breakpoints are torch's too
        compare(ours, theirs, KINKS, rtol=rtol)


@pytest.mark.parametrize("name", ["hardtanh", "relu6", "hardsigmoid", "hardswish", "selu", "celu", "mish", "rrelu"])
def test_inplace_activations_match_torch(name):
    # (torch's in-place hardsigmoid and celu differentiate with float32 constants: agreement to ~3e-8)
    compare(lambda x: getattr(F, name)(x * 1.0, inplace=True), lambda x: getattr(TF, name)(x * 1.0, inplace=True), X,
            rtol=1e-7)


def test_prelu_matches_torch():
    w = np.array([0.1, -0.2, 0.3, 0.25, 0.5, 0.05])
    compare(F.prelu, TF.prelu, X, w)
    compare(F.prelu, TF.prelu, X.reshape(2, 6, 2), w)
    compare(F.prelu, TF.prelu, X, w[:1])
    compare(F.prelu, TF.prelu, KINKS, w[:1])
    m, tm = nn.PReLU(4, 0.1), torch.nn.PReLU(4, 0.1)
    np.testing.assert_allclose(m.weight.detach().numpy(), tm.weight.detach().numpy())


def test_distances_and_one_hot_match_torch():
    a, b = X, np.random.default_rng(2).standard_normal((4, 6))
    for p in (1, 2, 3.0, float("inf")):
        compare(lambda x, y, p=p: F.pairwise_distance(x, y, p), lambda x, y, p=p: TF.pairwise_distance(x, y, p), a, b)
    # p = 0 counts the non-zero entries: the same values; torch leaves the inputs' .grad None, ours is zeros
    assert_same(F.pairwise_distance(ag.tensor(a), ag.tensor(b), 0), TF.pairwise_distance(torch.tensor(a),
                                                                                          torch.tensor(b), 0))
    for p in (1, 2, 3.0, float("inf"), 0):
        q = p or 2
        compare(lambda x, q=q: F.normalize(x, q, 0), lambda x, q=q: TF.normalize(x, q, 0), a)
    for p in (1, 2, 3.0):
        compare(lambda x, p=p: F.pdist(x, p), lambda x, p=p: TF.pdist(x, p), a)
    compare(lambda x, y: F.pairwise_distance(x, y, keepdim=True), lambda x, y: TF.pairwise_distance(x, y, keepdim=True),
            a, b[0])
    compare(F.cosine_similarity, TF.cosine_similarity, a, b)
    compare(lambda x, y: F.cosine_similarity(x, y, 0), lambda x, y: TF.cosine_similarity(x, y, 0), a, b[:1])
    compare(lambda x, y: F.cosine_similarity(x, y, 0), lambda x, y: TF.cosine_similarity(x, y, 0),
            np.array([1e-10, 0.0]), np.array([1.0, 1.0]))
    idx = np.array([[3, 0], [1, 1]])
    np.testing.assert_array_equal(F.one_hot(ag.tensor(idx), 5).numpy(), TF.one_hot(torch.tensor(idx), 5).numpy())
    np.testing.assert_array_equal(F.one_hot(ag.tensor(idx)).numpy(), TF.one_hot(torch.tensor(idx)).numpy())


R = np.random.default_rng(3)
A, B, C = R.standard_normal((5, 3)), R.standard_normal((5, 3)), R.standard_normal((5, 3))
SIGNS = np.array([1.0, -1, 1, -1, 1])
SIGNS2 = np.sign(R.standard_normal((5, 3)))
COUNTS = R.poisson(2.0, (5, 3)).astype(float)
LABELS = (R.random((5, 3)) > 0.5).astype(float)
CLASSES = np.array([0, 2, 1, 1, 0])


def _t(x, lib):
    return torch.tensor(x) if lib is torch else ag.tensor(x)


LOSSES = {  # name: (loss of (functional module, library, inputs..., reduction), input arrays)
    "cosine_embedding": (lambda f, L, a, b, r: f.cosine_embedding_loss(a, b, _t(SIGNS, L), margin=-0.2, reduction=r),
                         (A, B)),
    "cosine_embedding_1d": (lambda f, L, a, b, r: f.cosine_embedding_loss(a, b, _t(-1.0, L), reduction=r),
                            (A[0], B[0])),
    "margin_ranking": (lambda f, L, a, b, r: f.margin_ranking_loss(a, b, _t(SIGNS2, L), margin=0.3, reduction=r),
                       (A, B)),
    "triplet": (lambda f, L, a, b, c, r: f.triplet_margin_loss(a, b, c, margin=2.0, reduction=r), (A, B, C)),
    "triplet_swap_p3": (lambda f, L, a, b, c, r: f.triplet_margin_loss(a, b, c, 1.5, 3, swap=True, reduction=r),
                        (A, B, C)),
    "poisson": (lambda f, L, a, r: f.poisson_nll_loss(a, _t(COUNTS, L), reduction=r), (A,)),
    "poisson_full": (lambda f, L, a, r: f.poisson_nll_loss(a, _t(COUNTS, L), full=True, reduction=r), (A,)),
    "poisson_rate": (lambda f, L, a, r: f.poisson_nll_loss(a.abs(), _t(COUNTS, L), log_input=False, reduction=r),
                     (A,)),
    "gaussian": (lambda f, L, a, v, r: f.gaussian_nll_loss(a, _t(B, L), v.abs(), full=True, reduction=r), (A, C)),
    "gaussian_small_var": (lambda f, L, a, v, r: f.gaussian_nll_loss(a, _t(B, L), v * 1e-4, eps=1e-3, reduction=r),
                           (A, np.abs(C))),
    "gaussian_shared": (lambda f, L, a, v, r: f.gaussian_nll_loss(a, _t(B, L), v[:, :1].abs(), reduction=r), (A, C)),
    "gaussian_no_last": (lambda f, L, a, v, r: f.gaussian_nll_loss(a, _t(B, L), v[:, 0].abs(), reduction=r), (A, C)),
    "soft_margin": (lambda f, L, a, r: f.soft_margin_loss(a, _t(SIGNS2, L), reduction=r), (A * 10,)),
    "multilabel_soft_margin": (lambda f, L, a, r: f.multilabel_soft_margin_loss(
        a, _t(LABELS, L), _t(np.array([1.0, 2, 0.5]), L), reduction=r), (A,)),
    "multi_margin": (lambda f, L, a, r: f.multi_margin_loss(a, _t(CLASSES, L), margin=1.5, reduction=r), (A,)),
    "multi_margin_p2_w": (lambda f, L, a, r: f.multi_margin_loss(
        a, _t(CLASSES, L), p=2, weight=_t(np.array([1.0, 2, 3]), L), reduction=r), (A,)),
    "multi_margin_1d": (lambda f, L, a, r: f.multi_margin_loss(a, _t(np.array([2]), L), reduction=r), (A[0],)),
    "hinge_embedding": (lambda f, L, a, r: f.hinge_embedding_loss(a, _t(SIGNS2, L), margin=0.7, reduction=r), (A,)),
    "hinge_embedding_other_targets": (lambda f, L, a, r: f.hinge_embedding_loss(
        a, _t(np.array([1.0, 0, 2, -1, 1]), L), reduction=r), (A[:, 0],)),
}


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("name", sorted(LOSSES))
def test_losses_match_torch(name, reduction):
    loss, arrays = LOSSES[name]
    compare(lambda *xs: loss(F, ag, *xs, reduction), lambda *xs: loss(TF, torch, *xs, reduction), *arrays)


def test_loss_modules_match_torch():
    pairs = [
        (nn.CosineEmbeddingLoss(0.1), torch.nn.CosineEmbeddingLoss(0.1), (A, B), SIGNS),
        (nn.MarginRankingLoss(0.2, reduction="sum"), torch.nn.MarginRankingLoss(0.2, reduction="sum"), (A, B), SIGNS2),
        (nn.SoftMarginLoss(), torch.nn.SoftMarginLoss(), (A,), SIGNS2),
        (nn.HingeEmbeddingLoss(0.4), torch.nn.HingeEmbeddingLoss(0.4), (A,), SIGNS2),
        (nn.MultiLabelSoftMarginLoss(), torch.nn.MultiLabelSoftMarginLoss(), (A,), LABELS),
        (nn.PoissonNLLLoss(full=True), torch.nn.PoissonNLLLoss(full=True), (A,), COUNTS),
    ]
    for ours, theirs, inputs, target in pairs:
        compare(lambda *xs, m=ours, t=target: m(*xs, ag.tensor(t)),
                lambda *xs, m=theirs, t=target: m(*xs, torch.tensor(t)), *inputs)
    compare(lambda a, b, c: nn.TripletMarginLoss(swap=True)(a, b, c), lambda a, b, c: torch.nn.TripletMarginLoss(
        swap=True)(a, b, c), A, B, C)
    compare(lambda a, v: nn.GaussianNLLLoss()(a, ag.tensor(B), v.abs()),
            lambda a, v: torch.nn.GaussianNLLLoss()(a, torch.tensor(B), v.abs()), A, C)
    compare(lambda a: nn.MultiMarginLoss(margin=0.5)(a, ag.tensor(CLASSES)),
            lambda a: torch.nn.MultiMarginLoss(margin=0.5)(a, torch.tensor(CLASSES)), A)


def _modules(lib):
    n = lib.nn if lib is torch else nn
    return [n.Mish(), n.Mish(True), n.Hardtanh(), n.Hardtanh(-2.0, 3, True), n.ReLU6(), n.ReLU6(True), n.PReLU(),
            n.PReLU(3, 0.1), n.SELU(True), n.CELU(2.0, True), n.Softsign(), n.LogSigmoid(), n.GLU(1), n.Softmin(),
            n.Hardswish(True), n.Hardsigmoid(), n.Threshold(0.1, 20, True), n.Tanhshrink(), n.Softshrink(0.2),
            n.Hardshrink(), n.RReLU(0.1, 0.3, True), n.AlphaDropout(0.3), n.CosineSimilarity(0),
            n.PairwiseDistance(3), n.CosineEmbeddingLoss(0.5), n.MarginRankingLoss(), n.TripletMarginLoss(),
            n.PoissonNLLLoss(), n.GaussianNLLLoss(), n.SoftMarginLoss(), n.MultiLabelSoftMarginLoss(),
            n.MultiMarginLoss(), n.HingeEmbeddingLoss()]


def test_module_reprs_and_attributes_match_torch():
    plain = set(vars(nn.Module())) | set(vars(torch.nn.Module()))
    for ours, theirs in zip(_modules(ag), _modules(torch)):
        assert repr(ours) == repr(theirs)
        assert {k for k in vars(ours) if k not in plain} == {k for k in vars(theirs) if k not in plain}, repr(ours)


def _torch_dtypes(text):
    for name, t in (("float32", "FloatTensor"), ("float64", "DoubleTensor")):
        text = text.replace(f"torch.{name}", name).replace(f"torch.{t}", name)
    return text


def test_parameter_containers_match_torch():
    for lib in (ag, torch):
        n = lib.nn if lib is torch else nn
        zeros = lib.zeros
        pl = n.ParameterList([n.Parameter(zeros(3, 4)), zeros(2), 5])
        pd = n.ParameterDict({"b": zeros(2, dtype=lib.float64), "a": n.Parameter(zeros(3))})
        if lib is ag:
            ours = (repr(pl), list(pl.state_dict()), repr(pd), list(pd.state_dict()), list(pd))
        else:
            theirs = (_torch_dtypes(repr(pl)), list(pl.state_dict()), _torch_dtypes(repr(pd)), list(pd.state_dict()),
                      list(pd))
    assert ours == theirs


def test_hook_order_matches_torch():
    def run(lib):
        n = lib.nn if lib is torch else nn
        log = []
        lin = n.Linear(3, 2)
        lin.register_forward_pre_hook(lambda m, a: log.append("pre1"))
        lin.register_forward_pre_hook(lambda m, a: log.append("pre2"), prepend=True)
        lin.register_forward_pre_hook(lambda m, a, k: log.append(("prek", len(a), dict(k))), with_kwargs=True)
        lin.register_forward_hook(lambda m, a, o: log.append("f1"))
        lin.register_forward_hook(lambda m, a, k, o: log.append(("fk", dict(k))), with_kwargs=True, prepend=True)
        lin.register_full_backward_pre_hook(lambda m, go: log.append(("bpre", [tuple(g.shape) for g in go])))
        lin.register_full_backward_hook(lambda m, gi, go: log.append(
            ("b", [None if g is None else tuple(g.shape) for g in gi], [tuple(g.shape) for g in go])))
        lin.register_full_backward_hook(lambda m, gi, go: log.append("b2"), prepend=True)
        x = lib.randn(4, 3, requires_grad=True)
        y = lin(x)
        y.register_hook(lambda g: log.append("tensor hook on y"))
        x.register_hook(lambda g: log.append("x hook"))
        y.sum().backward()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # both warn that the hooks fire from the outputs
            lin(lib.randn(4, 3)).sum().backward()
        return log

    assert run(ag) == run(torch)


def test_backward_hook_gradients_match_torch():
    def run(lib, w, x):
        n = lib.nn if lib is torch else nn
        lin = n.Linear(3, 2, bias=False).double()
        with lib.no_grad():
            lin.weight.copy_(lib.tensor(w))
        seen = {}
        lin.register_full_backward_pre_hook(lambda m, go: seen.update(go=go[0].detach().numpy().copy()) or
                                            (go[0] * 2,))
        lin.register_full_backward_hook(lambda m, gi, go: seen.update(gi=gi[0].detach().numpy().copy()) or
                                        (gi[0] + 1,))
        xt = lib.tensor(x, requires_grad=True)
        (lin(xt) ** 2).sum().backward()
        return seen["go"], seen["gi"], xt.grad.numpy(), lin.weight.grad.numpy()

    w, x = np.random.default_rng(4).standard_normal((2, 3)), np.random.default_rng(5).standard_normal((4, 3))
    for ours, theirs in zip(run(ag, w, x), run(torch, w, x)):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12)


def _to_ours(state_dict):
    return {k: v.detach().numpy() for k, v in state_dict.items()}


@pytest.mark.parametrize("dim", [0, 1, None])
def test_weight_norm_state_dict_from_torch_loads_and_gives_the_same_output(dim):
    theirs = torch.nn.utils.parametrizations.weight_norm(torch.nn.Linear(4, 3).double(), dim=dim)
    ours = weight_norm(nn.Linear(4, 3).double(), dim=dim)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert [(k, tuple(v.shape)) for k, v in ours.state_dict().items()] == [
        (k, tuple(v.shape)) for k, v in theirs.state_dict().items()]
    assert repr(ours) == repr(theirs)
    with torch.no_grad():
        theirs.parametrizations.weight.original0.mul_(1.7)  # g no longer ‖v‖: the formula matters
    ours.load_state_dict(_to_ours(theirs.state_dict()))
    x = np.random.default_rng(6).standard_normal((2, 4))
    compare(ours, theirs, x)
    assert_same(ours.weight, theirs.weight)
    g, v = ours.parametrizations.weight.original0, ours.parametrizations.weight.original1
    tg, tv = theirs.parametrizations.weight.original0, theirs.parametrizations.weight.original1
    ours(ag.tensor(x)).sum().backward()
    theirs(torch.tensor(x)).sum().backward()
    assert_same(g.grad, tg.grad)
    assert_same(v.grad, tv.grad)


def test_spectral_norm_state_dict_from_torch_loads_and_steps_like_torch():
    torch.manual_seed(0)
    theirs = torch.nn.utils.parametrizations.spectral_norm(torch.nn.Linear(5, 4).double())
    ours = spectral_norm(nn.Linear(5, 4).double())
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert repr(ours) == repr(theirs)
    ours.load_state_dict(_to_ours(theirs.state_dict()))
    x = np.random.default_rng(7).standard_normal((3, 5))
    for _ in range(3):  # training: each forward runs one power-iteration step on the same buffers
        compare(ours, theirs, x)
        assert_same(ours.parametrizations.weight[0]._u, theirs.parametrizations.weight[0]._u)
        assert_same(ours.parametrizations.weight[0]._v, theirs.parametrizations.weight[0]._v)
    ours.eval(), theirs.eval()
    compare(ours, theirs, x)


def test_custom_parametrization_and_removal_match_torch():
    assert _param_summary(nn, P) == _param_summary(torch.nn, TP)


def _param_summary(n, params):
    class Symmetric(n.Module):
        def forward(self, x):
            return (x + x.t()) / 2

    class Double(n.Module):
        def forward(self, x):
            return x * 2

        def right_inverse(self, x):
            return x / 2

    lin = n.Linear(3, 3)
    params.register_parametrization(lin, "weight", Symmetric())
    params.register_parametrization(lin, "bias", Double())
    params.register_parametrization(lin, "bias", Double())
    summary = [list(lin.state_dict()), repr(lin), type(lin).__name__, params.is_parametrized(lin, "bias")]
    params.remove_parametrizations(lin, "bias", leave_parametrized=False)
    summary += [list(lin.state_dict()), params.is_parametrized(lin)]
    params.remove_parametrizations(lin, "weight")
    summary += [list(lin.state_dict()), type(lin).__name__, params.is_parametrized(lin),
                hasattr(lin, "parametrizations")]
    return summary


def test_old_weight_norm_and_spectral_norm_match_torch():
    x = np.random.default_rng(8).standard_normal((2, 4))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        theirs = torch.nn.utils.weight_norm(torch.nn.Linear(4, 3).double())
        ours = nn.utils.weight_norm(nn.Linear(4, 3).double())
    assert list(ours.state_dict()) == list(theirs.state_dict())
    with torch.no_grad():
        theirs.weight_g.mul_(0.5)
    ours.load_state_dict(_to_ours(theirs.state_dict()))
    compare(ours, theirs, x)
    torch.manual_seed(1)
    theirs = torch.nn.utils.spectral_norm(torch.nn.Linear(4, 3).double())
    ours = nn.utils.spectral_norm(nn.Linear(4, 3).double())
    assert list(ours.state_dict()) == list(theirs.state_dict())
    ours.load_state_dict(_to_ours(theirs.state_dict()))
    for _ in range(2):
        compare(ours, theirs, x)
        assert_same(ours.weight_u, theirs.weight_u)
        assert_same(ours.weight_v, theirs.weight_v)
    torch.nn.utils.remove_spectral_norm(theirs)
    nn.utils.remove_spectral_norm(ours)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert_same(ours.weight, theirs.weight)


def test_init_matches_torch():
    for name, param in [("linear", None), ("conv3d", None), ("sigmoid", None), ("tanh", None), ("relu", None),
                        ("leaky_relu", None), ("leaky_relu", 0.2), ("leaky_relu", 1), ("selu", None)]:
        assert nn.init.calculate_gain(name, param) == pytest.approx(torch.nn.init.calculate_gain(name, param))
    for shape, groups in [((4, 2, 3), 2), ((3, 3, 3, 3), 1), ((6, 2, 3, 3, 3), 3)]:
        w, tw = ag.empty(*shape), torch.empty(*shape)
        nn.init.dirac_(w, groups)
        torch.nn.init.dirac_(tw, groups)
        np.testing.assert_array_equal(w.numpy(), tw.numpy())
    w, tw = ag.empty(7, 5), torch.empty(7, 5)
    nn.init.sparse_(w, 0.4)
    torch.nn.init.sparse_(tw, 0.4)
    np.testing.assert_array_equal((w.numpy() == 0).sum(0), (tw.numpy() == 0).sum(0))
