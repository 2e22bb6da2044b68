"""Issue 17's audit: bad input raises torch's exception type, and pathgrad's message names the op and the shapes or
the argument. Each row is one ``raise`` site of autograd/, nn/ or optim/ (or a NumPy error that an op turns into its
own), run as the same call on pathgrad and on torch (skipped without torch).

A row is (id, call(L), names): ``L`` is the ``pathgrad`` or the ``torch`` module, and ``names`` are words that
pathgrad's message must contain. The exception types are compared as a user's ``except`` sees them: pathgrad's error
must be an instance of the built-in type torch raises (torch raises subclasses such as ``torch.linalg.LinAlgError``).

Raise sites checked elsewhere against torch: ops/products.py, arrange.py (test_products_arrange_vs_torch.py),
linalg (test_linalg_vs_torch.py), scatter and sampling (test_scatter_sampling_vs_torch.py), pointwise, rounding and
bitwise (test_pointwise_vs_torch.py), sort, scan, counting and reduce_more (test_sort_scan_vs_torch.py),
distributions' validation (test_distributions_vs_torch.py), attention (tests/nn/test_attention_vs_torch.py) and
nn/data (tests/nn/data/test_utils_data_vs_torch.py).
"""

import warnings

import pytest

import pathgrad

torch = pytest.importorskip("torch")


def pad(L, x, widths, **kw):
    return (L.pad if L is pathgrad else L.nn.functional.pad)(x, widths, **kw)


def grad_of(L, out, inputs, **kw):
    return L.autograd.grad(out, inputs, **kw)


def leaf(L, *shape):
    return L.ones(*shape, requires_grad=True)


def model(L):
    return L.nn.Linear(2, 2)


# ---- autograd: elementwise, shapes, views, reductions ---------------------------------------------------------------
AUTOGRAD = [
    ("add-broadcast", lambda L: L.ones(2, 3) + L.ones(2, 4), ("add", "(2, 3)", "(2, 4)")),
    ("mul-broadcast", lambda L: L.ones(2, 3) * L.ones(4, 1, 4), ("mul", "(2, 3)", "(4, 1, 4)")),
    ("sub-broadcast", lambda L: L.sub(L.ones(3), L.ones(4)), ("sub", "(3,)", "(4,)")),
    ("div-broadcast", lambda L: L.ones(3) / L.ones(2, 2), ("div", "(3,)", "(2, 2)")),
    ("pow-broadcast", lambda L: L.ones(3) ** L.ones(2), ("pow", "(3,)", "(2,)")),
    ("maximum-broadcast", lambda L: L.maximum(L.ones(3), L.ones(2)), ("maximum", "(3,)", "(2,)")),
    ("where-broadcast", lambda L: L.where(L.ones(3) > 0, L.ones(2), L.ones(3)), ("where", "(3,)", "(2,)")),
    ("iadd-broadcast", lambda L: L.ones(3).add_(L.ones(2)), ("(3,)", "(2,)")),
    ("matmul-inner", lambda L: L.ones(2, 3) @ L.ones(2, 4), ("matmul", "(2, 3)", "(2, 4)")),
    ("matmul-0d", lambda L: L.matmul(L.tensor(1.0), L.ones(2)), ("matmul", "()")),
    ("dot-2d", lambda L: L.dot(L.ones(2, 2), L.ones(2)), ("dot", "2D")),
    ("reshape-size", lambda L: L.ones(2, 3).reshape(4, 2), ("reshape", "[4, 2]", "6")),
    ("reshape-two-minus-one", lambda L: L.ones(2, 3).reshape(-1, -1), ("reshape", "[-1, -1]")),
    ("view-size", lambda L: L.ones(2, 3).view(5), ("view", "[5]", "6")),
    ("view-non-contiguous", lambda L: L.ones(2, 3).t().view(6), ("view", "[3, 2]")),
    ("unflatten-sizes", lambda L: L.ones(2, 6).unflatten(1, (4, 2)), ("unflatten", "(4, 2)", "6")),
    ("permute-length", lambda L: L.ones(2, 3).permute(0), ("permute", "(0,)", "[2, 3]")),
    ("permute-repeat", lambda L: L.ones(2, 3).permute(0, 0), ("permute", "(0, 0)")),
    ("expand-size", lambda L: L.ones(2, 3).expand(4, 3), ("expand", "[2, 3]", "(4, 3)")),
    ("expand-fewer-dims", lambda L: L.ones(2, 3).expand(3), ("expand", "[2, 3]", "(3,)")),
    ("broadcast_to", lambda L: L.broadcast_to(L.ones(2, 3), (3, 3)), ("[2, 3]", "(3, 3)")),
    ("broadcast_shapes", lambda L: L.broadcast_shapes((2, 3), (4,)), ("broadcast_shapes", "(2, 3)", "(4,)")),
    ("split-sizes", lambda L: L.ones(5).split([2, 2]), ("split", "[2, 2]", "5")),
    ("t-3d", lambda L: L.ones(2, 3, 4).t(), ("t()", "3")),
    ("select-index", lambda L: L.ones(2, 3).select(0, 5), ("select", "5", "[2, 3]")),
    ("diagonal-same-dims", lambda L: L.ones(2, 3).diagonal(0, 0, 0), ("diagonal", "0")),
    ("as_strided-lengths", lambda L: L.ones(6).as_strided((2, 3), (1,)), ("as_strided", "(1,)", "(2, 3)")),
    ("as_strided-outside", lambda L: L.ones(6).as_strided((3, 3), (3, 1)), ("as_strided", "(3, 3)")),
    ("dim-out-of-range", lambda L: L.ones(2, 3).sum(5), ("Dimension out of range", "5")),
    ("transpose-dim", lambda L: L.ones(2, 3).transpose(0, 3), ("Dimension out of range", "3")),
    ("index-out-of-bounds", lambda L: L.ones(2, 3)[5], ("5", "2")),
    ("repeat-too-few", lambda L: L.ones(2, 3).repeat(2), ("repeat", "(2,)", "[2, 3]")),
    ("gather-ndim", lambda L: L.gather(L.ones(2, 3), 1, L.tensor([0])), ("gather", "(1,)", "[2, 3]")),
    ("gather-float-index", lambda L: L.gather(L.ones(2, 3), 1, L.ones(2, 3)), ("gather", "float")),
    ("gather-out-of-bounds", lambda L: L.gather(L.ones(2, 3), 1, L.tensor([[3], [0]])), ("gather", "3")),
    ("cat-empty", lambda L: L.cat([]), ("cat", "non-empty")),
    ("cat-sizes", lambda L: L.cat([L.ones(2, 3), L.ones(3, 4)]), ("cat", "[2, 3]", "[3, 4]")),
    ("stack-empty", lambda L: L.stack([]), ("stack", "non-empty")),
    ("stack-sizes", lambda L: L.stack([L.ones(2, 3), L.ones(2, 4)]), ("stack", "[2, 3]", "[2, 4]")),
    ("pad-odd", lambda L: pad(L, L.ones(2, 3), (1,)), ("pad", "(1,)")),
    ("pad-too-long", lambda L: pad(L, L.ones(3), (1, 1, 1, 1)), ("pad", "(1, 1, 1, 1)")),
    ("clamp-no-bounds", lambda L: L.clamp(L.ones(2)), ("clamp", "min", "max")),
    ("mean-int", lambda L: L.ones(2, dtype=L.int64).mean(), ("mean", "int64")),
    ("max-empty", lambda L: L.ones(0).max(), ("max", "[0]")),
    ("argmax-empty", lambda L: L.ones(0).argmax(), ("argmax", "[0]")),
    ("quantile-interpolation", lambda L: L.quantile(L.ones(3), 0.5, interpolation="middle"),
     ("quantile", "interpolation", "middle")),
    ("item-many", lambda L: L.ones(2).item(), ("item", "2")),
    ("bool-many", lambda L: bool(L.ones(2)), ("Boolean value", "2")),
    ("len-0d", lambda L: len(L.tensor(1.0)), ("len()", "0-d")),
    ("index-float", lambda L: [1, 2][L.tensor(1.0)], ("integer tensors",)),
    ("flip-no-dims", lambda L: L.ones(2).flip(), ("flip", "dims")),
]


def custom_function(L, backward):
    class Twice(L.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return backward(L, g)

    return Twice.apply(leaf(L, 2)).sum().backward()


def backward_twice(L):
    y = (leaf(L, 2) * leaf(L, 2)).sum()
    y.backward()
    y.backward()


def modified_after_save(L):
    y = leaf(L, 2).exp()
    y.add_(1)
    y.sum().backward()


def nan_gradient(L):
    with L.autograd.detect_anomaly():
        (L.zeros(1, requires_grad=True).sqrt() * 0).sum().backward()


def dual(L, primal, tangent):
    with L.autograd.forward_ad.dual_level():
        return L.autograd.forward_ad.make_dual(primal, tangent)


# ---- autograd: Tensor, engine, factories, functional, modes ---------------------------------------------------------
TENSOR_ENGINE = [
    ("tensor-of-str", lambda L: L.tensor("a"), ("Tensor", "<U1")),
    ("data-not-tensor", lambda L: setattr(L.ones(2), "data", 3), ("data", "int")),
    ("grad-not-tensor", lambda L: setattr(leaf(L, 2), "grad", 3), ("grad", "int")),
    ("grad-size", lambda L: setattr(leaf(L, 2), "grad", L.ones(3)), ("grad", "[3]", "[2]")),
    ("grad-dtype", lambda L: setattr(leaf(L, 2), "grad", L.ones(2, dtype=L.float64)), ("grad", "float64")),
    ("numpy-requires-grad", lambda L: leaf(L, 2).numpy(), ("numpy()", "detach")),
    ("requires_grad-int", lambda L: L.ones(2, dtype=L.int64).requires_grad_(), ("int64",)),
    ("requires_grad-false-non-leaf", lambda L: (leaf(L, 2) * 2).requires_grad_(False), ("requires_grad_", "leaf")),
    ("detach_-view", lambda L: leaf(L, 2, 2)[0].detach_(), ("detach",)),
    ("hook-no-grad", lambda L: L.ones(2).register_hook(print), ("hook",)),
    ("to-unknown-kwarg", lambda L: L.ones(2).to(foo=1), ("to()", "foo")),
    ("inplace-leaf", lambda L: leaf(L, 2).add_(1), ("leaf", "in-place")),
    ("inplace-view-of-leaf", lambda L: leaf(L, 2, 2)[0].add_(1), ("view of a leaf", "in-place")),
    ("inplace-broadcast", lambda L: L.ones(3).add_(L.ones(2, 3)), ("[3]", "[2, 3]")),
    ("inplace-cast", lambda L: L.ones(2, dtype=L.int64).add_(L.ones(2) * 0.5), ("float32", "int64")),
    ("inplace-expanded", lambda L: L.ones(1).expand(3).add_(1), ("add", "expanded")),
    ("backward-twice", backward_twice, ("second time", "retain_graph")),
    ("modified-after-save", modified_after_save, ("modified by an inplace", "version")),
    ("anomaly-nan-gradient", nan_gradient, ("SqrtBackward", "NaN")),
    ("custom-grad-count", lambda L: custom_function(L, lambda L, g: (g, g)), ("Backward", "2")),
    ("custom-grad-shape", lambda L: custom_function(L, lambda L, g: L.ones(3)), ("Backward", "(3,)")),
    ("grad-input-no-grad", lambda L: grad_of(L, (leaf(L, 2) * L.ones(2)).sum(), [L.ones(2)]), ("grad", "input 0")),
    ("grad-input-unused", lambda L: grad_of(L, (leaf(L, 2) * 2).sum(), [leaf(L, 2)]), ("grad", "not used")),
    ("backward-count", lambda L: L.autograd.backward([leaf(L, 2) * 2, leaf(L, 2) * 2], [L.ones(2)]),
     ("backward", "2 tensors", "1 gradients")),
    ("backward-no-grad", lambda L: L.ones(2).sum().backward(), ("backward", "does not require grad")),
    ("backward-non-scalar", lambda L: (leaf(L, 2) * 2).backward(), ("backward", "scalar", "(2,)")),
    ("backward-gradient-shape", lambda L: (leaf(L, 2) * 2).backward(L.ones(3)), ("backward", "[3]", "(2,)")),
    ("from_numpy-list", lambda L: L.from_numpy([1.0]), ("from_numpy", "list")),
    ("ones-str-size", lambda L: L.ones("a"), ("ones", "'a'")),
    ("ones-negative", lambda L: L.ones(-1), ("ones", "negative", "(-1,)")),
    ("zeros_like-int", lambda L: L.zeros_like(3), ("zeros_like", "int")),
    ("arange-zero-step", lambda L: L.arange(0, 5, 0), ("arange", "step")),
    ("linspace-negative-steps", lambda L: L.linspace(0, 1, -1), ("linspace", "-1")),
    ("eye-negative", lambda L: L.eye(-1), ("eye", "-1")),
    ("tril_indices-negative", lambda L: L.tril_indices(-1, 2), ("tril_indices", "row=-1")),
    ("rand-int-dtype", lambda L: L.rand(2, dtype=L.int64), ("rand", "int64")),
    ("randint-empty-range", lambda L: L.randint(5, 2, (3,)), ("randint", "low=5", "high=2")),
    ("randint-no-size", lambda L: L.randint(5), ("randint", "size")),
    ("asarray-no-copy-dtype", lambda L: L.asarray(L.ones(2), dtype=L.float64, copy=False), ("asarray", "float64")),
    ("asarray-no-copy-list", lambda L: L.asarray([1.0, 2.0], copy=False), ("asarray", "list")),
    ("Size-of-str", lambda L: L.Size([1, "a"]), ("Size", "str")),
    ("set_default_dtype-int", lambda L: L.set_default_dtype(L.int64), ("set_default_dtype", "int64")),
    ("dtype-unknown", lambda L: L.ones(2, dtype="float7"), ("float7",)),
    ("device-unknown", lambda L: L.device("tpu"), ("tpu",)),
    ("device-negative-index", lambda L: L.device("cpu:-1"), ("-1",)),
    ("bool-empty", lambda L: bool(L.ones(0)), ("Boolean value",)),
    ("finfo-int", lambda L: L.finfo(L.int64), ("finfo", "int64")),
    ("iinfo-float", lambda L: L.iinfo(L.float32), ("iinfo", "float32")),
    ("set_rng_state-garbage", lambda L: L.set_rng_state(L.zeros(3, dtype=L.uint8)), ("set_rng_state",)),
    ("set_num_threads-zero", lambda L: L.set_num_threads(0), ("set_num_threads", "0")),
    ("legacy-FloatTensor-str", lambda L: L.FloatTensor("a"), ("FloatTensor", "str")),
    ("vjp-no-v", lambda L: L.autograd.functional.vjp(lambda x: x * 2, L.ones(2)), ("vjp", "[2]")),
    ("jacobian-strategy", lambda L: L.autograd.functional.jacobian(lambda x: x, L.ones(2), strategy="sideways"),
     ("jacobian", "sideways")),
    ("jacobian-forward-create-graph",
     lambda L: L.autograd.functional.jacobian(lambda x: x, L.ones(2), create_graph=True, vectorize=True,
                                              strategy="forward-mode"), ("jacobian", "create_graph")),
    ("hessian-non-scalar", lambda L: L.autograd.functional.hessian(lambda x: x * 2, L.ones(2)), ("hessian", "[2]")),
    ("make_dual-outside-level", lambda L: L.autograd.forward_ad.make_dual(L.ones(2), L.ones(2)), ("make_dual",)),
    ("make_dual-shape", lambda L: dual(L, L.ones(2), L.ones(3)), ("make_dual", "[3]", "[2]")),
    ("make_dual-int", lambda L: dual(L, L.ones(2, dtype=L.int64), L.ones(2, dtype=L.int64)), ("make_dual", "int64")),
    ("vmap-in_dims-length", lambda L: L.vmap(lambda x, y: x + y, in_dims=(0,))(L.ones(2), L.ones(2)),
     ("vmap", "in_dims")),
    ("vmap-sizes", lambda L: L.vmap(lambda x, y: x + y)(L.ones(2), L.ones(3)), ("vmap", "[2, 3]")),
    ("gradcheck-no-requires-grad",
     lambda L: L.autograd.gradcheck(lambda x: x * 2, (L.ones(2, dtype=L.float64),)), ("gradcheck", "requires_grad")),
]


def F(L):
    return L.nn.functional


# ---- nn.functional ---------------------------------------------------------------------------------------------------
FUNCTIONAL = [
    ("linear-in-features", lambda L: F(L).linear(L.ones(2, 3), L.ones(4, 5)), ("linear", "(2, 3)", "(4, 5)")),
    ("dropout-p", lambda L: F(L).dropout(L.ones(2), p=1.5), ("dropout", "1.5")),
    ("conv2d-stride-length", lambda L: F(L).conv2d(L.ones(1, 1, 4, 4), L.ones(1, 1, 2, 2), stride=(1, 1, 1)),
     ("conv", "stride", "(1, 1, 1)")),
    ("conv2d-same-strided", lambda L: F(L).conv2d(L.ones(1, 1, 4, 4), L.ones(1, 1, 2, 2), stride=2, padding="same"),
     ("conv", "same", "strided")),
    ("conv2d-padding-string", lambda L: F(L).conv2d(L.ones(1, 1, 4, 4), L.ones(1, 1, 2, 2), padding="full"),
     ("conv", "'full'")),
    ("conv2d-negative-padding", lambda L: F(L).conv2d(L.ones(1, 1, 4, 4), L.ones(1, 1, 2, 2), padding=-1),
     ("conv", "negative padding", "-1")),
    ("conv2d-input-dims", lambda L: F(L).conv2d(L.ones(4, 4), L.ones(1, 1, 2, 2)), ("conv2d", "[4, 4]")),
    ("conv2d-weight-dims", lambda L: F(L).conv2d(L.ones(1, 1, 4, 4), L.ones(2, 2)), ("conv2d", "weight", "[2, 2]")),
    ("conv2d-channels", lambda L: F(L).conv2d(L.ones(1, 3, 4, 4), L.ones(1, 2, 2, 2)),
     ("conv2d", "[1, 3, 4, 4]", "[1, 2, 2, 2]")),
    ("conv2d-groups", lambda L: F(L).conv2d(L.ones(1, 4, 4, 4), L.ones(3, 2, 2, 2), groups=2),
     ("conv2d", "groups=2", "[3, 2, 2, 2]")),
    ("conv2d-too-small", lambda L: F(L).conv2d(L.ones(1, 1, 2, 2), L.ones(1, 1, 3, 3)), ("conv2d", "(2, 2)", "(3, 3)")),
    ("conv1d-input-dims", lambda L: F(L).conv1d(L.ones(1, 1, 1, 4), L.ones(1, 1, 2)), ("conv1d", "[1, 1, 1, 4]")),
    ("conv1d-channels", lambda L: F(L).conv1d(L.ones(1, 3, 4), L.ones(1, 2, 2)), ("conv1d", "[1, 3, 4]", "[1, 2, 2]")),
    ("conv1d-too-small", lambda L: F(L).conv1d(L.ones(1, 1, 2), L.ones(1, 1, 3)), ("conv1d", "(1, 2)", "(1, 3)")),
    ("max_pool2d-kernel-length", lambda L: F(L).max_pool2d(L.ones(1, 1, 4, 4), (2, 2, 2)),
     ("max_pool2d", "kernel_size", "(2, 2, 2)")),
    ("max_pool2d-zero-stride", lambda L: F(L).max_pool2d(L.ones(1, 1, 4, 4), 2, stride=0), ("max_pool2d", "stride")),
    ("max_pool2d-big-padding", lambda L: F(L).max_pool2d(L.ones(1, 1, 4, 4), 2, padding=2), ("max_pool2d", "pad=")),
    ("max_pool2d-too-small", lambda L: F(L).max_pool2d(L.ones(1, 1, 2, 2), 3), ("max_pool2d", "(2, 2)", "(3, 3)")),
    ("max_pool2d-dims", lambda L: F(L).max_pool2d(L.ones(4, 4), 2), ("max_pool2d", "[4, 4]")),
    ("avg_pool2d-dims", lambda L: F(L).avg_pool2d(L.ones(1, 1, 1, 4, 4), 2), ("avg_pool2d", "[1, 1, 1, 4, 4]")),
    ("max_pool1d-dims", lambda L: F(L).max_pool1d(L.ones(4), 2), ("max_pool1d", "[4]")),
    ("adaptive_avg_pool2d-dims", lambda L: F(L).adaptive_avg_pool2d(L.ones(4, 4), 2),
     ("adaptive_avg_pool2d", "[4, 4]")),
    ("batch_norm-1d-input", lambda L: F(L).batch_norm(L.ones(3), L.zeros(3), L.ones(3)), ("batch_norm", "[3]")),
    ("batch_norm-one-value", lambda L: F(L).batch_norm(L.ones(1, 3), None, None, training=True),
     ("more than 1 value per channel", "[1, 3]")),
    ("batch_norm-no-running-stats", lambda L: F(L).batch_norm(L.ones(2, 3), None, None, training=False),
     ("batch_norm", "running_mean")),
    ("batch_norm-channels", lambda L: F(L).batch_norm(L.ones(2, 3), L.zeros(4), L.ones(4)), ("batch_norm", "[2, 3]")),
    ("layer_norm-shape", lambda L: F(L).layer_norm(L.ones(2, 3), (4,)), ("layer_norm", "[4]", "[2, 3]")),
    ("instance_norm-1d", lambda L: F(L).instance_norm(L.ones(3)), ("instance_norm", "[3]")),
    ("instance_norm-one-element", lambda L: F(L).instance_norm(L.ones(2, 3, 1)),
     ("more than 1 spatial element", "(2, 3, 1)")),
    ("reduction-invalid", lambda L: F(L).mse_loss(L.ones(2), L.ones(2), reduction="avg"), ("avg", "reduction")),
    ("l1_loss-broadcast", lambda L: F(L).l1_loss(L.ones(2, 3), L.ones(4, 3)), ("(2, 3)", "(4, 3)")),
    ("bce-out-of-range", lambda L: F(L).binary_cross_entropy(L.ones(2) * 2, L.ones(2)),
     ("binary_cross_entropy", "between 0 and 1")),
    ("bce-with-logits-target-size", lambda L: F(L).binary_cross_entropy_with_logits(L.ones(2), L.ones(3)),
     ("Target size", "[3]", "[2]")),
    ("nll_loss-float-target", lambda L: F(L).nll_loss(L.ones(2, 3), L.zeros(2)), ("nll_loss", "float32")),
    ("nll_loss-batch-mismatch", lambda L: F(L).nll_loss(L.ones(2, 3), L.zeros(3, dtype=L.int64)),
     ("nll_loss", "(2, 3)", "(3,)")),
    ("nll_loss-spatial-mismatch", lambda L: F(L).nll_loss(L.ones(2, 3, 4), L.zeros(2, 5, dtype=L.int64)),
     ("nll_loss", "(2, 3, 4)", "(2, 5)")),
    ("nll_loss-out-of-bounds", lambda L: F(L).nll_loss(L.ones(2, 3), L.tensor([0, 5])), ("Target 5", "3 classes")),
    ("cross_entropy-target-shape", lambda L: F(L).cross_entropy(L.ones(2, 3), L.zeros(3, dtype=L.int64)),
     ("cross_entropy", "(2, 3)", "(3,)")),
    ("cross_entropy-label-smoothing", lambda L: F(L).cross_entropy(L.ones(2, 3), L.tensor([0, 1]), label_smoothing=2.0),
     ("cross_entropy", "label_smoothing", "2.0")),
    ("cross_entropy-probability-shape", lambda L: F(L).cross_entropy(L.ones(2, 3), L.ones(2, 4)),
     ("cross_entropy", "[2, 3]", "(2, 4)")),
    ("gelu-approximate", lambda L: F(L).gelu(L.ones(2), approximate="fast"), ("approximate", "fast")),
    ("softmax-dim", lambda L: F(L).softmax(L.ones(2, 3), dim=2), ("Dimension out of range", "2")),
    ("embedding-out-of-range", lambda L: F(L).embedding(L.tensor([5]), L.ones(3, 2)), ("embedding", "5", "3")),
    ("embedding-float-index", lambda L: F(L).embedding(L.ones(2), L.ones(3, 2)), ("embedding", "float32")),
    ("one_hot-float", lambda L: F(L).one_hot(L.ones(2)), ("one_hot",)),
    ("one_hot-too-big", lambda L: F(L).one_hot(L.tensor([3]), 2), ("num_classes",)),
    ("pad-reflect-too-big", lambda L: F(L).pad(L.ones(1, 2), (3, 3), mode="reflect"), ("pad", "(3, 3)")),
    ("pad-mode", lambda L: F(L).pad(L.ones(1, 2), (1, 1), mode="mirror"), ("mirror",)),
    ("interpolate-size-and-scale", lambda L: F(L).interpolate(L.ones(1, 1, 4), size=2, scale_factor=2.0),
     ("size", "scale_factor")),
    ("interpolate-neither", lambda L: F(L).interpolate(L.ones(1, 1, 4)), ("size", "scale_factor")),
    ("interpolate-2d-input", lambda L: F(L).interpolate(L.ones(1, 4), size=2), ("2D",)),
    ("interpolate-size-length", lambda L: F(L).interpolate(L.ones(1, 1, 4, 4), size=(2, 2, 2)),
     ("spatial dimensions",)),
    ("interpolate-align-corners", lambda L: F(L).interpolate(L.ones(1, 1, 4), size=2, align_corners=True),
     ("align_corners",)),
    ("hardtanh-bounds", lambda L: F(L).hardtanh(L.ones(2), 1.0, -1.0), ("min_val", "max_val")),
    ("glu-odd", lambda L: F(L).glu(L.ones(3)), ("dimension 0", "3")),
    ("pixel_shuffle-channels", lambda L: F(L).pixel_shuffle(L.ones(1, 3, 2, 2), 2), ("pixel_shuffle", "3", "4")),
    ("unfold-dims", lambda L: F(L).unfold(L.ones(4), 2), ("unfold", "[4]")),
    ("triplet-margin", lambda L: F(L).triplet_margin_loss(L.ones(2), L.ones(2), L.ones(2), margin=0.0),
     ("margin", "0")),
    ("multi_margin-p", lambda L: F(L).multi_margin_loss(L.ones(2, 3), L.tensor([0, 1]), p=3), ("p == 1",)),
    ("multi_margin-weight-dims", lambda L: F(L).multi_margin_loss(L.ones(2, 3), L.tensor([0, 1]), weight=L.ones(3, 1)),
     ("weight", "one-dimensional")),
    ("gaussian_nll-negative-var", lambda L: F(L).gaussian_nll_loss(L.ones(2), L.ones(2), -L.ones(2)),
     ("var", "negative")),
    ("gaussian_nll-var-size", lambda L: F(L).gaussian_nll_loss(L.ones(2, 3), L.ones(2, 3), L.ones(3, 3)),
     ("var", "size")),
    ("margin_ranking-dims", lambda L: F(L).margin_ranking_loss(L.ones(2), L.ones(2, 1), L.ones(2)),
     ("margin_ranking_loss", "[2]", "[2, 1]")),
    ("cosine_similarity-broadcast", lambda L: F(L).cosine_similarity(L.ones(2, 3), L.ones(4, 3)), ("(2)", "(4)")),
    ("embedding_bag-offsets-2d", lambda L: F(L).embedding_bag(L.tensor([[0, 1]]), L.ones(3, 2), L.tensor([0])),
     ("offsets", "2D")),
    ("embedding_bag-mode", lambda L: F(L).embedding_bag(L.tensor([0, 1]), L.ones(3, 2), L.tensor([0]), mode="min"),
     ("mode",)),
]


def parametrize_wrong_shape(L):
    class Flatten(L.nn.Module):
        def forward(self, x):
            return x.reshape(-1)

    L.nn.utils.parametrize.register_parametrization(model(L), "weight", Flatten())


def unpack_unsorted(L):
    L.nn.utils.rnn.pack_padded_sequence(L.ones(3, 2), L.tensor([1, 3]))


def pad_packed_short(L):
    packed = L.nn.utils.rnn.pack_padded_sequence(L.ones(3, 2), L.tensor([3, 1]))
    L.nn.utils.rnn.pad_packed_sequence(packed, total_length=2)


def clip_nonfinite(L):
    w = leaf(L, 2)
    (w * float("inf")).sum().backward()
    L.nn.utils.clip_grad_norm_([w], 1.0, error_if_nonfinite=True)


# ---- nn modules, init, utils -----------------------------------------------------------------------------------------
MODULES = [
    ("Conv2d-groups", lambda L: L.nn.Conv2d(2, 4, 3, groups=0), ("groups",)),
    ("Conv2d-in-channels-groups", lambda L: L.nn.Conv2d(3, 4, 3, groups=2), ("in_channels", "groups")),
    ("Conv2d-out-channels-groups", lambda L: L.nn.Conv2d(4, 3, 3, groups=2), ("out_channels", "groups")),
    ("Conv2d-padding-mode", lambda L: L.nn.Conv2d(2, 4, 3, padding_mode="mirror"), ("padding_mode", "mirror")),
    ("Conv2d-padding-string", lambda L: L.nn.Conv2d(2, 4, 3, padding="full"), ("padding", "full")),
    ("Conv2d-same-strided", lambda L: L.nn.Conv2d(2, 4, 3, padding="same", stride=2), ("same", "strided")),
    ("Conv2d-forward-channels", lambda L: L.nn.Conv2d(2, 4, 3)(L.ones(1, 3, 5, 5)), ("conv2d", "[1, 3, 5, 5]")),
    ("ConvTranspose2d-padding-mode", lambda L: L.nn.ConvTranspose2d(2, 4, 3, padding_mode="reflect"),
     ("zeros", "ConvTranspose2d")),
    ("ConvTranspose2d-groups", lambda L: L.nn.ConvTranspose2d(3, 4, 3, groups=2), ("in_channels", "groups")),
    ("ConvTranspose2d-output-size-length", lambda L: L.nn.ConvTranspose2d(1, 1, 3)(L.ones(1, 1, 4, 4), output_size=[7]),
     ("output_size", "1")),
    ("ConvTranspose2d-output-size-range",
     lambda L: L.nn.ConvTranspose2d(1, 1, 3, stride=2)(L.ones(1, 1, 4, 4), output_size=[20, 20]),
     ("output size", "[20, 20]", "[9, 9]")),
    ("BatchNorm1d-dims", lambda L: L.nn.BatchNorm1d(3)(L.ones(2, 3, 4, 5)), ("2D or 3D", "4D")),
    ("BatchNorm2d-dims", lambda L: L.nn.BatchNorm2d(3)(L.ones(2, 3)), ("4D", "2D")),
    ("GroupNorm-divisible", lambda L: L.nn.GroupNorm(3, 4), ("num_channels", "num_groups")),
    ("InstanceNorm1d-dims", lambda L: L.nn.InstanceNorm1d(3)(L.ones(3)), ("2D or 3D", "1D")),
    ("InstanceNorm1d-features", lambda L: L.nn.InstanceNorm1d(3, affine=True)(L.ones(2, 4, 5)),
     ("num_features", "3")),
    ("LayerNorm-forward", lambda L: L.nn.LayerNorm(4)(L.ones(2, 3)), ("layer_norm", "[4]", "[2, 3]")),
    ("Linear-forward", lambda L: L.nn.Linear(4, 2)(L.ones(2, 3)), ("linear", "(2, 3)")),
    ("Dropout-p", lambda L: L.nn.Dropout(2.0), ("dropout probability", "2.0")),
    ("Dropout2d-p", lambda L: L.nn.Dropout2d(-0.5), ("dropout probability", "-0.5")),
    ("AlphaDropout-p", lambda L: L.nn.AlphaDropout(1.5), ("dropout probability", "1.5")),
    ("GELU-approximate", lambda L: L.nn.GELU("fast")(L.ones(2)), ("approximate", "fast")),
    ("Hardtanh-bounds", lambda L: L.nn.Hardtanh(1.0, -1.0), ("max_val", "min_val")),
    ("Bilinear-features", lambda L: L.nn.Bilinear(0, 2, 3), ("in1_features", "0")),
    ("MultiheadAttention-divisible", lambda L: L.nn.MultiheadAttention(5, 2), ("embed_dim", "num_heads")),
    ("MultiheadAttention-zero", lambda L: L.nn.MultiheadAttention(0, 2), ("embed_dim", "num_heads")),
    ("Embedding-padding-idx", lambda L: L.nn.Embedding(3, 2, padding_idx=5), ("Padding_idx",)),
    ("Embedding-weight-shape", lambda L: L.nn.Embedding(3, 2, _weight=L.ones(4, 2)), ("weight", "num_embeddings")),
    ("EmbeddingBag-padding-idx", lambda L: L.nn.EmbeddingBag(3, 2, padding_idx=5), ("padding_idx",)),
    ("CircularPad2d-dims", lambda L: L.nn.CircularPad2d(1)(L.ones(2)), ("3D or 4D", "1D")),
    ("TripletMarginLoss-margin", lambda L: L.nn.TripletMarginLoss(margin=0.0), ("TripletMarginLoss", "margin")),
    ("MultiMarginLoss-p", lambda L: L.nn.MultiMarginLoss(p=3), ("p == 1",)),
    ("MultiMarginLoss-weight", lambda L: L.nn.MultiMarginLoss(weight=L.ones(2, 2)), ("MultiMarginLoss", "weight")),
    ("RNN-dropout", lambda L: L.nn.RNN(2, 3, dropout=2.0), ("dropout",)),
    ("RNN-hidden-size-type", lambda L: L.nn.RNN(2, 3.5), ("hidden_size", "float")),
    ("RNN-hidden-size-zero", lambda L: L.nn.RNN(2, 0), ("hidden_size", "0")),
    ("RNN-num-layers-zero", lambda L: L.nn.RNN(2, 3, num_layers=0), ("num_layers", "0")),
    ("RNN-nonlinearity", lambda L: L.nn.RNN(2, 3, nonlinearity="sigmoid"), ("nonlinearity", "sigmoid")),
    ("RNN-proj-size", lambda L: L.nn.RNN(2, 3, proj_size=1), ("proj_size",)),
    ("LSTM-proj-size-big", lambda L: L.nn.LSTM(2, 3, proj_size=3), ("proj_size", "hidden_size")),
    ("LSTM-proj-size-negative", lambda L: L.nn.LSTM(2, 3, proj_size=-1), ("proj_size", "-1")),
    ("RNN-input-dims", lambda L: L.nn.RNN(2, 3)(L.ones(1, 1, 1, 2)), ("RNN", "4D")),
    ("RNN-input-dtype", lambda L: L.nn.RNN(2, 3)(L.ones(1, 1, 2, dtype=L.float64)), ("RNN", "float64", "float32")),
    ("RNN-input-size", lambda L: L.nn.RNN(2, 3)(L.ones(1, 1, 4)), ("RNN", "input_size", "4")),
    ("RNN-hidden-shape", lambda L: L.nn.RNN(2, 3)(L.ones(1, 1, 2), L.ones(1, 1, 4)), ("RNN", "(1, 1, 3)", "[1, 1, 4]")),
    ("RNNCell-input-dims", lambda L: L.nn.RNNCell(2, 3)(L.ones(1, 1, 2)), ("RNNCell", "3D")),
    ("RNNCell-hidden-dims", lambda L: L.nn.RNNCell(2, 3)(L.ones(1, 2), L.ones(1, 1, 3)), ("RNNCell", "3D")),
    ("Sequential-add", lambda L: L.nn.Sequential() + L.nn.ReLU(), ("Sequential", "ReLU")),
    ("Sequential-index", lambda L: L.nn.Sequential(L.nn.ReLU())[3], ("index 3",)),
    ("ModuleList-extend", lambda L: L.nn.ModuleList().extend(L.nn.ReLU()), ("extend", "ReLU")),
    ("ModuleDict-update-pair", lambda L: L.nn.ModuleDict().update([("a", L.nn.ReLU(), 1)]), ("#0", "3")),
    ("ParameterList-call", lambda L: L.nn.ParameterList()(), ("ParameterList",)),
    ("ParameterDict-key", lambda L: L.nn.ParameterDict()[1], ("ParameterDict", "int")),
    ("Module-no-forward", lambda L: L.nn.Module()(L.ones(2)), ("Module", "forward")),
    ("Module-train-non-bool", lambda L: model(L).train("yes"), ("training mode", "boolean")),
    ("Module-parameter-dotted-name", lambda L: model(L).register_parameter("a.b", None), ("a.b",)),
    ("Module-buffer-not-tensor", lambda L: model(L).register_buffer("b", 3), ("int", "buffer")),
    ("Module-assign-parameter", lambda L: setattr(model(L), "weight", L.ones(2, 2)), ("weight", "Tensor")),
    ("Module-missing-attribute", lambda L: model(L).nothing, ("Linear", "nothing")),
    ("Module-get_submodule", lambda L: model(L).get_submodule("x"), ("Linear", "x")),
    ("Module-to-int", lambda L: model(L).to(L.int64), ("floating point", "int64")),
    ("Module-load_state_dict-missing", lambda L: model(L).load_state_dict({}), ("Linear", "weight")),
    ("Module-load_state_dict-not-dict", lambda L: model(L).load_state_dict(3), ("state_dict", "int")),
    ("init-gain", lambda L: L.nn.init.calculate_gain("swish"), ("swish",)),
    ("init-gain-slope", lambda L: L.nn.init.calculate_gain("leaky_relu", "a"), ("negative_slope", "a")),
    ("init-fan-1d", lambda L: L.nn.init.xavier_uniform_(L.ones(3)), ("fan", "2 dimensions")),
    ("init-mode", lambda L: L.nn.init.kaiming_uniform_(L.ones(2, 2), mode="fan_out_in"), ("fan_out_in",)),
    ("init-eye-3d", lambda L: L.nn.init.eye_(L.ones(2, 2, 2)), ("2 dimensions",)),
    ("init-orthogonal-1d", lambda L: L.nn.init.orthogonal_(L.ones(2)), ("2 or more dimensions",)),
    ("init-dirac-2d", lambda L: L.nn.init.dirac_(L.ones(2, 2)), ("3, 4, or 5 dimensions",)),
    ("init-dirac-groups", lambda L: L.nn.init.dirac_(L.ones(3, 2, 2), groups=2), ("groups",)),
    ("init-sparse-3d", lambda L: L.nn.init.sparse_(L.ones(2, 2, 2), 0.5), ("2 dimensions",)),
    ("init-trunc-normal-bounds", lambda L: L.nn.init.trunc_normal_(L.ones(3), a=2.0, b=1.0),
     ("trunc_normal_", "a=2.0")),
    ("clip_grad_norm-nonfinite", clip_nonfinite, ("non-finite", "error_if_nonfinite")),
    ("parameters_to_vector-empty", lambda L: L.nn.utils.parameters_to_vector([]), ("parameters_to_vector",)),
    ("vector_to_parameters-not-tensor", lambda L: L.nn.utils.vector_to_parameters([1.0], []), ("Tensor", "list")),
    ("vector_to_parameters-size", lambda L: L.nn.utils.vector_to_parameters(L.ones(3), model(L).parameters()),
     ("vector_to_parameters", "(3,)", "6")),
    ("weight_norm-twice", lambda L: L.nn.utils.weight_norm(L.nn.utils.weight_norm(model(L))),
     ("weight_norm", "weight")),
    ("remove_weight_norm-absent", lambda L: L.nn.utils.remove_weight_norm(model(L)), ("weight_norm", "weight")),
    ("spectral_norm-iterations", lambda L: L.nn.utils.spectral_norm(model(L), n_power_iterations=0),
     ("n_power_iterations", "0")),
    ("spectral_norm-twice", lambda L: L.nn.utils.spectral_norm(L.nn.utils.spectral_norm(model(L))),
     ("spectral_norm", "weight")),
    ("remove_spectral_norm-absent", lambda L: L.nn.utils.remove_spectral_norm(model(L)), ("spectral_norm", "weight")),
    ("parametrizations-spectral-dim", lambda L: L.nn.utils.parametrizations.spectral_norm(model(L), dim=3),
     ("Dimension out of range", "3")),
    ("parametrizations-weight-name", lambda L: L.nn.utils.parametrizations.weight_norm(model(L), name="w"), ("'w'",)),
    ("parametrize-shape", parametrize_wrong_shape, ("shape",)),
    ("parametrize-remove-absent", lambda L: L.nn.utils.parametrize.remove_parametrizations(model(L), "weight"),
     ("parametrization", "weight")),
    ("pack_padded-unsorted", unpack_unsorted, ("sorted", "enforce_sorted")),
    ("pack_padded-zero-length", lambda L: L.nn.utils.rnn.pack_padded_sequence(L.ones(3, 2), L.tensor([3, 0])),
     ("greater than 0",)),
    ("pack_padded-lengths-count", lambda L: L.nn.utils.rnn.pack_padded_sequence(L.ones(3, 2), L.tensor([3])),
     ("len(lengths)", "1", "2")),
    ("pack_padded-lengths-2d", lambda L: L.nn.utils.rnn.pack_padded_sequence(L.ones(3, 2), L.tensor([[3, 2]])),
     ("pack_padded_sequence", "(1, 2)")),
    ("pad_packed-total-length", pad_packed_short, ("total_length", "3")),
    ("pad_sequence-empty", lambda L: L.nn.utils.rnn.pad_sequence([]), ("pad_sequence", "empty")),
    ("pad_sequence-trailing", lambda L: L.nn.utils.rnn.pad_sequence([L.ones(2, 3), L.ones(2, 4)]),
     ("pad_sequence", "3", "4")),
    ("unpad_sequence-count", lambda L: L.nn.utils.rnn.unpad_sequence(L.ones(3, 2), L.tensor([3])),
     ("unpad_sequence", "1", "2")),
]


def opt(L, name="SGD", **kw):
    return getattr(L.optim, name)(model(L).parameters(), **{"lr": 0.1, **kw})


def sched(L, name, *args, **kw):
    return getattr(L.optim.lr_scheduler, name)(opt(L, momentum=0.9), *args, **kw)


def load_other_groups(L):
    a = L.optim.SGD([{"params": [leaf(L, 2)]}, {"params": [leaf(L, 2)]}], lr=0.1)
    opt(L).load_state_dict(a.state_dict())


def load_other_sizes(L):
    a = L.optim.SGD([leaf(L, 2)], lr=0.1)
    opt(L).load_state_dict(a.state_dict())


def two_optimizers(L):
    first, second = sched(L, "StepLR", 1), sched(L, "StepLR", 1)
    L.optim.lr_scheduler.ChainedScheduler([first, second], optimizer=first.optimizer)


def sequential(L, milestones):
    o = opt(L)
    s = [L.optim.lr_scheduler.StepLR(o, 1), L.optim.lr_scheduler.StepLR(o, 1)]
    L.optim.lr_scheduler.SequentialLR(o, s, milestones=milestones)


def lbfgs_without_closure(L):
    p = leaf(L, 2)
    o = L.optim.LBFGS([p])
    (p * p).sum().backward()
    o.step()


def steps(scheduler, n):
    for _ in range(n):
        scheduler.step()


def resume_without_initial_lr(L):
    L.optim.lr_scheduler.StepLR(opt(L), 1, last_epoch=3)


# ---- optim and lr_scheduler ------------------------------------------------------------------------------------------
OPTIM = [
    ("params-single-tensor", lambda L: L.optim.SGD(leaf(L, 2), lr=0.1), ("SGD", "Tensor")),
    ("params-empty", lambda L: L.optim.SGD([], lr=0.1), ("SGD", "empty parameter list")),
    ("params-set", lambda L: L.optim.SGD([{"params": {leaf(L, 2)}}], lr=0.1), ("SGD", "sets")),
    ("params-not-tensor", lambda L: L.optim.SGD([1.0], lr=0.1), ("SGD", "float")),
    ("params-non-leaf", lambda L: L.optim.SGD([leaf(L, 2) * 2], lr=0.1), ("SGD", "non-leaf")),
    ("params-in-two-groups", lambda L: (lambda p: L.optim.SGD([{"params": [p]}, {"params": [p]}], lr=0.1))(leaf(L, 2)),
     ("SGD", "more than one parameter group")),
    ("params-names-missing", lambda L: L.optim.SGD([("w", leaf(L, 2)), leaf(L, 2)], lr=0.1), ("SGD", "names")),
    ("param-group-not-dict", lambda L: opt(L).add_param_group([leaf(L, 2)]), ("SGD", "list")),
    ("SGD-lr", lambda L: opt(L, lr=-1.0), ("SGD", "learning rate", "-1.0")),
    ("SGD-momentum", lambda L: opt(L, momentum=-1.0), ("SGD", "momentum", "-1.0")),
    ("SGD-weight-decay", lambda L: opt(L, weight_decay=-1.0), ("SGD", "weight_decay", "-1.0")),
    ("SGD-nesterov", lambda L: opt(L, nesterov=True), ("SGD", "Nesterov")),
    ("Adam-lr", lambda L: opt(L, "Adam", lr=-1.0), ("Adam", "learning rate", "-1.0")),
    ("Adam-eps", lambda L: opt(L, "Adam", eps=-1.0), ("Adam", "epsilon", "-1.0")),
    ("Adam-beta", lambda L: opt(L, "Adam", betas=(0.9, 1.0)), ("Adam", "beta", "1.0")),
    ("Adam-short-betas", lambda L: opt(L, "Adam", betas=(0.9,)), ("Adam", "betas")),
    ("AdamW-weight-decay", lambda L: opt(L, "AdamW", weight_decay=-1.0), ("AdamW", "weight_decay", "-1.0")),
    ("Adadelta-rho", lambda L: opt(L, "Adadelta", rho=2.0), ("Adadelta", "rho", "2.0")),
    ("Adagrad-lr-decay", lambda L: opt(L, "Adagrad", lr_decay=-1.0), ("Adagrad", "lr_decay", "-1.0")),
    ("RMSprop-alpha", lambda L: opt(L, "RMSprop", alpha=-1.0), ("RMSprop", "alpha", "-1.0")),
    ("Rprop-etas", lambda L: opt(L, "Rprop", etas=(1.5, 0.5)), ("Rprop", "eta")),
    ("NAdam-momentum-decay", lambda L: opt(L, "NAdam", momentum_decay=-1.0), ("NAdam", "momentum_decay", "-1.0")),
    ("ASGD-lr", lambda L: opt(L, "ASGD", lr=-1.0), ("ASGD", "learning rate")),
    ("Adafactor-lr", lambda L: opt(L, "Adafactor", lr=-1.0), ("Adafactor", "learning rate", "-1.0")),
    ("Adafactor-beta2-decay", lambda L: opt(L, "Adafactor", beta2_decay=0.5), ("Adafactor", "beta2_decay", "0.5")),
    ("Adafactor-d", lambda L: opt(L, "Adafactor", d=0.5), ("Adafactor", "clipping threshold", "0.5")),
    ("LBFGS-groups", lambda L: L.optim.LBFGS([{"params": [leaf(L, 2)]}, {"params": [leaf(L, 2)]}]),
     ("LBFGS", "per-parameter options")),
    ("LBFGS-no-closure", lbfgs_without_closure, ("step()", "closure")),
    ("load_state_dict-groups", load_other_groups, ("load_state_dict", "parameter groups")),
    ("load_state_dict-sizes", load_other_sizes, ("load_state_dict", "size")),
    ("scheduler-not-optimizer", lambda L: L.optim.lr_scheduler.StepLR(model(L), 1), ("Linear", "Optimizer")),
    ("scheduler-resume-without-initial-lr", resume_without_initial_lr, ("initial_lr",)),
    ("LambdaLR-count", lambda L: sched(L, "LambdaLR", [lambda e: 1.0, lambda e: 1.0]), ("lr_lambda", "2")),
    ("ConstantLR-factor", lambda L: sched(L, "ConstantLR", factor=2.0), ("ConstantLR", "factor", "2.0")),
    ("LinearLR-start", lambda L: sched(L, "LinearLR", start_factor=0.0), ("LinearLR", "start_factor")),
    ("LinearLR-end", lambda L: sched(L, "LinearLR", end_factor=2.0), ("LinearLR", "end_factor")),
    ("CosineWarmRestarts-T0", lambda L: sched(L, "CosineAnnealingWarmRestarts", 0), ("T_0", "0")),
    ("CosineWarmRestarts-Tmult", lambda L: sched(L, "CosineAnnealingWarmRestarts", 2, T_mult=0), ("T_mult", "0")),
    ("CosineWarmRestarts-eta", lambda L: sched(L, "CosineAnnealingWarmRestarts", 2, eta_min="0"), ("eta_min",)),
    ("CosineWarmRestarts-epoch", lambda L: sched(L, "CosineAnnealingWarmRestarts", 2).step(-1), ("epoch", "-1")),
    ("CyclicLR-mode", lambda L: sched(L, "CyclicLR", 0.1, 1.0, mode="sawtooth"), ("CyclicLR", "sawtooth")),
    ("CyclicLR-no-momentum", lambda L: L.optim.lr_scheduler.CyclicLR(opt(L, "Adagrad"), 0.1, 1.0),
     ("momentum",)),
    ("OneCycleLR-no-steps", lambda L: sched(L, "OneCycleLR", 1.0), ("total_steps", "epochs")),
    ("OneCycleLR-total-steps", lambda L: sched(L, "OneCycleLR", 1.0, total_steps=0), ("total_steps", "0")),
    ("OneCycleLR-epochs", lambda L: sched(L, "OneCycleLR", 1.0, epochs=0, steps_per_epoch=2), ("epochs", "0")),
    ("OneCycleLR-pct", lambda L: sched(L, "OneCycleLR", 1.0, total_steps=5, pct_start=2.0), ("pct_start", "2.0")),
    ("OneCycleLR-anneal", lambda L: sched(L, "OneCycleLR", 1.0, total_steps=5, anneal_strategy="exp"),
     ("anneal_strategy", "exp")),
    ("OneCycleLR-past-end", lambda L: steps(sched(L, "OneCycleLR", 1.0, total_steps=1), 3), ("total steps", "1")),
    ("Plateau-factor", lambda L: sched(L, "ReduceLROnPlateau", factor=1.0), ("factor", "1.0")),
    ("Plateau-mode", lambda L: sched(L, "ReduceLROnPlateau", mode="up"), ("mode", "up")),
    ("Plateau-threshold-mode", lambda L: sched(L, "ReduceLROnPlateau", threshold_mode="pct"),
     ("threshold mode", "pct")),
    ("Plateau-min-lrs", lambda L: sched(L, "ReduceLROnPlateau", min_lr=[0.1, 0.2]), ("min_lr", "2")),
    ("ChainedScheduler-two-optimizers", two_optimizers, ("ChainedScheduler", "same optimizer")),
    ("SequentialLR-empty", lambda L: L.optim.lr_scheduler.SequentialLR(opt(L), [], milestones=[]),
     ("SequentialLR", "at least one scheduler")),
    ("SequentialLR-milestones", lambda L: sequential(L, []), ("milestone", "2 schedulers")),
]


def D(L):
    return L.distributions


def mvn(L, loc, **matrix):
    return D(L).MultivariateNormal(loc, **matrix)


# ---- distributions ---------------------------------------------------------------------------------------------------
DISTRIBUTIONS = [
    ("set_default_validate_args", lambda L: D(L).Distribution.set_default_validate_args("yes"),
     ("set_default_validate_args",)),
    ("Categorical-0d", lambda L: D(L).Categorical(probs=L.tensor(1.0)), ("probs", "one-dimensional")),
    ("MultivariateNormal-two-matrices", lambda L: mvn(L, L.zeros(2), covariance_matrix=L.eye(2), scale_tril=L.eye(2)),
     ("Exactly one",)),
    ("MultivariateNormal-0d-loc", lambda L: mvn(L, L.tensor(0.0), covariance_matrix=L.eye(2)), ("loc",)),
    ("MultivariateNormal-1d-matrix", lambda L: mvn(L, L.zeros(2), covariance_matrix=L.ones(2)),
     ("covariance_matrix", "two-dimensional")),
    ("MultivariateNormal-sizes", lambda L: mvn(L, L.zeros(3), covariance_matrix=L.eye(2)).sample(),
     ("MultivariateNormal", "(3,)", "(2, 2)")),
    ("log_prob-event-shape", lambda L: mvn(L, L.zeros(2), covariance_matrix=L.eye(2)).log_prob(L.zeros(3)),
     ("event_shape", "(3,)", "(2,)")),
    ("log_prob-not-broadcastable", lambda L: D(L).Normal(L.zeros(3), L.ones(3)).log_prob(L.zeros(2)),
     ("broadcastable", "[2]", "[3]")),
    ("log_prob-outside-support", lambda L: D(L).Exponential(L.ones(2)).log_prob(-L.ones(2)), ("support",)),
    ("sample-shape-int", lambda L: D(L).Normal(L.zeros(2), L.ones(2)).sample(3), ("sample_shape", "int")),
    ("expand-batch", lambda L: D(L).Normal(L.zeros(3), L.ones(3)).expand((2,)), ("Normal.expand", "(3,)", "(2,)")),
    ("parameters-broadcast", lambda L: D(L).Normal(L.zeros(3), L.ones(2)), ("(3,)", "(2,)")),
    ("rsample-without-reparametrisation", lambda L: D(L).Bernoulli(L.ones(2) * 0.5).rsample(),
     ("Bernoulli", "rsample")),
    ("kl-not-registered", lambda L: D(L).kl_divergence(D(L).Normal(0.0, 1.0), D(L).Bernoulli(0.5)),
     ("Normal", "Bernoulli")),
    ("kl-event-shapes", lambda L: D(L).kl_divergence(mvn(L, L.zeros(2), covariance_matrix=L.eye(2)),
                                                     mvn(L, L.zeros(3), covariance_matrix=L.eye(3))),
     ("Multivariate Normals", "event shapes")),
    ("Independent-too-many-dims", lambda L: D(L).Independent(D(L).Normal(L.zeros(2), L.ones(2)), 2),
     ("reinterpreted_batch_ndims", "2")),
]


def function_without(L, missing):
    class Half(L.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 3  # wrong on purpose: gradcheck must catch it

    class NoForward(L.autograd.Function):
        @staticmethod
        def backward(ctx, g):
            return g

    x = L.ones(2, dtype=L.float64, requires_grad=True)
    if missing == "forward":
        return NoForward.apply(x)
    if missing == "jvp":
        with L.autograd.forward_ad.dual_level():
            return Half.apply(L.autograd.forward_ad.make_dual(x.detach(), L.ones(2, dtype=L.float64)))
    return L.autograd.gradcheck(Half.apply, (x,))


def backward_hook_returning(L, value):
    m = L.nn.Linear(2, 2)
    m.register_full_backward_hook(lambda mod, gin, gout: value)
    m(leaf(L, 1, 2)).sum().backward()


def forward_pre_hook_returning(L, value):
    m = L.nn.Linear(2, 2)
    m.register_forward_pre_hook(lambda mod, args, kwargs: value, with_kwargs=True)
    m(L.ones(1, 2))


def assign_before_init(L):
    class Early(L.nn.Module):
        def __init__(self):
            self.w = L.nn.Parameter(L.ones(2))

    Early()


# ---- more: hooks, containers, layers' functional forms, windows, quantile --------------------------------------------
MORE = [
    ("Function-no-forward", lambda L: function_without(L, "forward"), ("forward",)),
    ("Function-no-jvp", lambda L: function_without(L, "jvp"), ("jvp",)),
    ("gradcheck-wrong-gradient", lambda L: function_without(L, "backward"), ("Jacobian",)),
    ("Tensor.unfold-size", lambda L: L.ones(3).unfold(0, 4, 1), ("unfold", "4")),
    ("Tensor.unfold-step", lambda L: L.ones(3).unfold(0, 2, 0), ("unfold", "step")),
    ("quantile-int", lambda L: L.quantile(L.ones(3, dtype=L.int64), 0.5), ("quantile", "int64")),
    ("quantile-q-2d", lambda L: L.quantile(L.ones(3), L.ones(2, 2) * 0.5), ("quantile", "(2, 2)")),
    ("quantile-q-range", lambda L: L.quantile(L.ones(3), 1.5), ("quantile", "1.5")),
    ("quantile-empty", lambda L: L.quantile(L.ones(0), 0.5), ("quantile", "non-empty")),
    ("tril_indices-float", lambda L: L.tril_indices(3, 3, dtype=L.float32), ("tril_indices", "float32")),
    ("randint-bool-range", lambda L: L.randint(0, 3, (2,), dtype=L.bool), ("randint", "bool")),
    ("backward-hook-count", lambda L: backward_hook_returning(L, (L.ones(1, 2), L.ones(1, 2))),
     ("Backward hook", "grad_input")),
    ("forward-pre-hook-value", lambda L: forward_pre_hook_returning(L, 3), ("forward pre-hook",)),
    ("Module-assign-before-init", assign_before_init, ("before Module.__init__",)),
    ("Module-add_module-not-module", lambda L: model(L).add_module("x", 3), ("int", "Module")),
    ("Module-add_module-exists", lambda L: model(L).add_module("weight", L.nn.ReLU()), ("weight", "already exists")),
    ("Module-parameter-not-Parameter", lambda L: model(L).register_parameter("p", L.ones(2)), ("Tensor", "'p'")),
    ("Module-to-kwarg", lambda L: model(L).to(foo=1), ("to()", "foo")),
    ("ModuleList-index", lambda L: L.nn.ModuleList([L.nn.ReLU()])[2], ("index 2",)),
    ("ParameterList-index", lambda L: L.nn.ParameterList([L.nn.Parameter(L.ones(1))])[2], ("index 2",)),
    ("ParameterList-extend", lambda L: L.nn.ParameterList().extend(3), ("extend", "int")),
    ("ParameterDict-popitem-empty", lambda L: L.nn.ParameterDict().popitem(), ("popitem", "empty")),
    ("ParameterDict-update-int", lambda L: L.nn.ParameterDict().update(3), ("update", "int")),
    ("ParameterDict-update-pair", lambda L: L.nn.ParameterDict().update([("a", L.ones(1), 1)]), ("#0", "3")),
    ("Embedding.from_pretrained-1d", lambda L: L.nn.Embedding.from_pretrained(L.ones(3)), ("2-dimensional",)),
    ("Transformer-activation", lambda L: L.nn.TransformerEncoderLayer(4, 2, activation="swish"), ("swish",)),
    ("Transformer-batch", lambda L: L.nn.Transformer(4, 2, 1, 1, 8)(L.ones(3, 2, 4), L.ones(3, 1, 4)),
     ("batch number", "src", "tgt")),
    ("Transformer-features", lambda L: L.nn.Transformer(4, 2, 1, 1, 8)(L.ones(3, 2, 4), L.ones(3, 2, 5)),
     ("feature number", "d_model=4")),
    ("RNN-unexpected-kwarg", lambda L: L.nn.RNN(2, 3, colour=1), ("RNN", "colour")),
    ("group_norm-divisible", lambda L: F(L).group_norm(L.ones(2, 3, 4), 2), ("group_norm", "divisible")),
    ("group_norm-weight", lambda L: F(L).group_norm(L.ones(2, 4, 4), 2, weight=L.ones(3)), ("group_norm", "weight")),
    ("instance_norm-no-running-stats", lambda L: F(L).instance_norm(L.ones(2, 3, 4), use_input_stats=False),
     ("running_mean",)),
    ("rms_norm-shape", lambda L: F(L).rms_norm(L.ones(2, 3), [4]), ("rms_norm", "[4]")),
    ("rms_norm-int-shape", lambda L: F(L).rms_norm(L.ones(2, 3), 3), ("rms_norm", "normalized_shape")),
    ("conv_transpose2d-channels", lambda L: F(L).conv_transpose2d(L.ones(1, 3, 4, 4), L.ones(2, 1, 2, 2)),
     ("conv_transpose2d", "[2, 1, 2, 2]")),
    ("conv_transpose2d-output-padding",
     lambda L: F(L).conv_transpose2d(L.ones(1, 1, 4, 4), L.ones(1, 1, 2, 2), output_padding=2),
     ("conv_transpose2d", "output")),
    ("conv3d-channels", lambda L: F(L).conv3d(L.ones(1, 3, 4, 4, 4), L.ones(1, 2, 2, 2, 2)),
     ("conv3d", "[1, 2, 2, 2, 2]")),
    ("conv3d-padding-string", lambda L: F(L).conv3d(L.ones(1, 1, 4, 4, 4), L.ones(1, 1, 2, 2, 2), padding="full"),
     ("conv3d", "'full'")),
    ("bilinear-weight", lambda L: F(L).bilinear(L.ones(2, 3), L.ones(2, 4), L.ones(5, 3, 5)), ("bilinear", "input2")),
    ("celu-alpha", lambda L: F(L).celu(L.ones(2), alpha=0.0), ("alpha", "CELU")),
    ("prelu-weight-dims", lambda L: F(L).prelu(L.ones(2, 3), L.ones(3, 1)), ("prelu", "ndim = 2")),
    ("prelu-weight-count", lambda L: F(L).prelu(L.ones(2, 3), L.ones(2)), ("parameter numbers", "2")),
    ("rrelu-bounds", lambda L: F(L).rrelu(L.ones(2), 0.5, 0.1, training=True), ("Lower bound",)),
    ("pdist-1d", lambda L: F(L).pdist(L.ones(3)), ("pdist", "1D")),
    ("adaptive_max_pool2d-dims", lambda L: F(L).adaptive_max_pool2d(L.ones(2), 1), ("adaptive_max_pool2d", "[2]")),
    ("adaptive_max_pool1d-empty", lambda L: F(L).adaptive_max_pool1d(L.ones(1, 2, 0), 1),
     ("adaptive_max_pool1d", "[1, 2, 0]")),
    ("F.pad-odd", lambda L: F(L).pad(L.ones(2, 3), (1,)), ("Padding length", "[1]")),
    ("F.pad-too-long", lambda L: F(L).pad(L.ones(3), (1, 1, 1, 1)), ("Padding length", "4")),
    ("F.pad-reflect-dims", lambda L: F(L).pad(L.ones(3), (1, 1, 1, 1), mode="reflect"), ("Padding length", "4")),
    ("F.pad-circular-wrap", lambda L: F(L).pad(L.ones(1, 1, 2), (3, 3), mode="circular"), ("wrapping around",)),
    ("F.pad-reflect-value", lambda L: F(L).pad(L.ones(1, 2, 3), (1, 1), mode="reflect", value=1.0), ("reflect",)),
    ("interpolate-size-type", lambda L: F(L).interpolate(L.ones(1, 1, 4), size="2"), ("interpolate", "size")),
    ("interpolate-mode-dims", lambda L: F(L).interpolate(L.ones(1, 1, 4), size=2, mode="bilinear"), ("bilinear", "3D")),
    ("interpolate-zero-size", lambda L: F(L).interpolate(L.ones(1, 1, 4), size=0), ("greater than 0",)),
    ("interpolate-antialias-mode", lambda L: F(L).interpolate(L.ones(1, 1, 4), size=2, antialias=True),
     ("Anti-alias",)),
    ("cosine_embedding-target-dims", lambda L: F(L).cosine_embedding_loss(L.ones(2, 3), L.ones(2, 3), L.ones(2, 1)),
     ("0D or 1D target",)),
    ("multi_margin-target-dtype", lambda L: F(L).multi_margin_loss(L.ones(2, 3), L.ones(2)), ("Long", "float32")),
    ("multi_margin-target-size", lambda L: F(L).multi_margin_loss(L.ones(2, 3), L.tensor([0, 1, 2])),
     ("target size", "2", "[3]")),
    ("multi_margin-out-of-range", lambda L: F(L).multi_margin_loss(L.ones(2, 3), L.tensor([0, 5])), ("out of range",)),
    ("unfold-kernel-too-big", lambda L: F(L).unfold(L.ones(1, 1, 2, 2), 3), ("unfold", "kernel_size")),
    ("fold-channels", lambda L: F(L).fold(L.ones(1, 3, 4), (3, 3), 2), ("fold", "divisible")),
    ("pixel_unshuffle-size", lambda L: F(L).pixel_unshuffle(L.ones(1, 1, 3, 3), 2), ("pixel_unshuffle", "2")),
    ("LambdaLR-not-callable", lambda L: sched(L, "LambdaLR", 3), ("int",)),
    ("ChainedScheduler-empty", lambda L: L.optim.lr_scheduler.ChainedScheduler([]), ("at least one scheduler",)),
    ("SequentialLR-plateau", lambda L: (lambda o: L.optim.lr_scheduler.SequentialLR(
        o, [L.optim.lr_scheduler.ReduceLROnPlateau(o)], milestones=[]))(opt(L)), ("ReduceLROnPlateau",)),
    ("SequentialLR-not-scheduler", lambda L: L.optim.lr_scheduler.SequentialLR(opt(L), [3], milestones=[]),
     ("index 0", "optimizer")),
    ("CyclicLR-not-optimizer", lambda L: L.optim.lr_scheduler.CyclicLR(model(L), 0.1, 1.0), ("Optimizer",)),
]


def register(L, parametrization, tensor_name="weight", **kw):
    m = model(L)
    L.nn.utils.parametrize.register_parametrization(m, tensor_name, parametrization, **kw)
    return m


def parametrization(L, forward, right_inverse=None):
    class P(L.nn.Module):
        def forward(self, x):
            return forward(x)

    if right_inverse is not None:
        P.right_inverse = lambda self, x: right_inverse(x)
    return P()


def assign_parametrized_without_inverse(L):
    m = register(L, parametrization(L, lambda x: x * 2))
    m.weight = L.ones(2, 2)


def no_grad_input_hook(L):
    m = L.nn.Linear(2, 2)
    m.register_full_backward_hook(lambda mod, gin, gout: (L.ones(1, 2),))
    m(L.ones(1, 2)).sum().backward()


def backward_pre_hook_returning(L, value):
    m = L.nn.Linear(2, 2)
    m.register_full_backward_pre_hook(lambda mod, gout: value)
    m(leaf(L, 1, 2)).sum().backward()


def packed_sequence_of_one(L):
    return L.nn.utils.rnn.PackedSequence(L.ones(3))


def independent(L, ndims):
    return D(L).Independent(D(L).Normal(L.zeros(2, 2), L.ones(2, 2)), ndims)


def adafactor_option(L, **kw):
    return opt(L, "Adafactor", **kw)


def plateau_groups_changed(L):
    o = opt(L)
    s = L.optim.lr_scheduler.ReduceLROnPlateau(o, min_lr=[0.0], patience=0)
    o.add_param_group({"params": [leaf(L, 2)]})
    for _ in range(3):
        s.step(1.0)


def adam_short_betas_in_group(L):
    p = leaf(L, 2)
    o = L.optim.Adam([{"params": [p], "betas": (0.9,)}])  # pathgrad raises here, torch in step()
    (p * p).sum().backward()
    o.step()


def no_backward(L):
    class NoBackward(L.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

    NoBackward.apply(leaf(L, 2)).sum().backward()


def assign_module_before_init(L):
    class Early(L.nn.Module):
        def __init__(self):
            self.layer = L.nn.ReLU()

    Early()


def assign_over_buffer(L):
    m = L.nn.BatchNorm1d(2)
    m.running_mean = 3


# ---- the rest: remaining sites of the older layers, containers, utils and optimisers ---------------------------------
REST = [
    ("Tensor.unfold-negative-size", lambda L: L.ones(3).unfold(0, -1, 1), ("unfold", "-1")),
    ("legacy-FloatTensor-floats", lambda L: L.FloatTensor(2.0, 3.0), ("FloatTensor", "float")),
    ("set_num_threads-float", lambda L: L.set_num_threads(1.5), ("set_num_threads", "float")),
    ("device-not-str", lambda L: L.device([1]), ("device", "[1]")),
    ("device-negative", lambda L: L.device("cpu", -1), ("-1",)),
    ("is_nonzero-many", lambda L: L.is_nonzero(L.ones(2)), ("Boolean value", "more than one")),
    ("Function-no-backward", no_backward, ("backward",)),
    ("kl-Independent-ndims", lambda L: D(L).kl_divergence(independent(L, 1), independent(L, 2)), ("Independent",)),
    ("Independent-enumerate", lambda L: D(L).Independent(D(L).Bernoulli(L.ones(2) * 0.5), 1).enumerate_support(),
     ("Enumeration",)),
    ("Normal-enumerate", lambda L: D(L).Normal(0.0, 1.0).enumerate_support(), ("Normal", "enumerate_support")),
    ("Sequential-index-negative", lambda L: L.nn.Sequential(L.nn.ReLU())[-3], ("-3",)),
    ("ParameterDict-update-element", lambda L: L.nn.ParameterDict().update([3]), ("#0", "Iterable")),
    ("ParameterDict-call", lambda L: L.nn.ParameterDict()(L.ones(1)), ("ParameterDict",)),
    ("RNN-bias-type", lambda L: L.nn.RNN(2, 3, bias=1), ("bias", "int")),
    ("RNN-num-layers-type", lambda L: L.nn.RNN(2, 3, num_layers=1.5), ("num_layers", "float")),
    ("RNN-hx-dims", lambda L: L.nn.RNN(2, 3)(L.ones(1, 1, 2), L.ones(1, 3)), ("RNN", "3-D", "2-D")),
    ("RNN-empty-sequence", lambda L: L.nn.RNN(2, 3)(L.ones(0, 1, 2)), ("RNN", "sequence length", "(0, 1, 2)")),
    ("RNN-hidden-dtype", lambda L: L.nn.RNN(2, 3)(L.ones(1, 1, 2), L.ones(1, 1, 3, dtype=L.float64)),
     ("RNN", "float64")),
    ("GRU-proj-size", lambda L: L.nn.GRU(2, 3, proj_size=1), ("proj_size",)),
    ("GRU-unexpected-kwarg", lambda L: L.nn.GRU(2, 3, colour=1), ("GRU", "colour")),
    ("RNNCell-nonlinearity", lambda L: L.nn.RNNCell(2, 3, nonlinearity="sigmoid")(L.ones(1, 2)), ("sigmoid",)),
    ("LSTMCell-input-size", lambda L: L.nn.LSTMCell(2, 3)(L.ones(1, 4)), ("input_size", "4")),
    ("GRUCell-hidden-batch", lambda L: L.nn.GRUCell(2, 3)(L.ones(2, 2), L.ones(1, 3)), ("batch size", "2", "1")),
    ("ConvTranspose2d-zero-groups", lambda L: L.nn.ConvTranspose2d(2, 4, 3, groups=0), ("groups",)),
    ("ConvTranspose2d-out-channels-groups", lambda L: L.nn.ConvTranspose2d(4, 3, 3, groups=2),
     ("out_channels", "groups")),
    ("EmbeddingBag-weight-shape", lambda L: L.nn.EmbeddingBag(3, 2, _weight=L.ones(4, 2)), ("Shape of weight",)),
    ("EmbeddingBag.from_pretrained-1d", lambda L: L.nn.EmbeddingBag.from_pretrained(L.ones(3)), ("2-dimensional",)),
    ("embedding-weight-1d", lambda L: F(L).embedding(L.tensor([0]), L.ones(3)), ("embedding", "weight")),
    ("embedding-padding-idx", lambda L: F(L).embedding(L.tensor([0]), L.ones(3, 2), padding_idx=5),
     ("Padding_idx",)),
    ("embedding_bag-weight-1d", lambda L: F(L).embedding_bag(L.tensor([0, 1]), L.ones(3), L.tensor([0])),
     ("weight", "2D")),
    ("embedding_bag-psw-shape", lambda L: F(L).embedding_bag(L.tensor([0, 1]), L.ones(3, 2), L.tensor([0]),
                                                             per_sample_weights=L.ones(3)), ("per_sample_weights",)),
    ("embedding_bag-no-offsets", lambda L: F(L).embedding_bag(L.tensor([0, 1]), L.ones(3, 2)), ("offsets", "None")),
    ("embedding_bag-offsets-2d-tensor", lambda L: F(L).embedding_bag(L.tensor([0, 1]), L.ones(3, 2), L.tensor([[0]])),
     ("offsets", "1D")),
    ("embedding_bag-input-3d", lambda L: F(L).embedding_bag(L.zeros(1, 1, 2, dtype=L.int64), L.ones(3, 2)),
     ("input", "3")),
    ("embedding_bag-max-scale", lambda L: F(L).embedding_bag(L.tensor([0, 1]), L.ones(3, 2), L.tensor([0]), mode="max",
                                                             scale_grad_by_freq=True), ("max mode",)),
    ("embedding_bag-psw-mode", lambda L: F(L).embedding_bag(L.tensor([0, 1]), L.ones(3, 2), L.tensor([0]), mode="mean",
                                                            per_sample_weights=L.ones(2)), ("per_sample_weights",)),
    ("embedding_bag-first-offset", lambda L: F(L).embedding_bag(L.tensor([0, 1]), L.ones(3, 2), L.tensor([1])),
     ("offsets[0]",)),
    ("embedding_bag-last-offset", lambda L: F(L).embedding_bag(L.tensor([0, 1]), L.ones(3, 2), L.tensor([0, 5])),
     ("offsets[-1]",)),
    ("embedding_bag-index-range", lambda L: F(L).embedding_bag(L.tensor([0, 7]), L.ones(3, 2), L.tensor([0])),
     ("embedding_bag", "7")),
    ("alpha_dropout-p", lambda L: F(L).alpha_dropout(L.ones(2), p=2.0), ("dropout probability", "2.0")),
    ("dropout2d-p", lambda L: F(L).dropout2d(L.ones(1, 2, 2), p=2.0), ("dropout probability", "2.0")),
    ("dropout1d-dims", lambda L: F(L).dropout1d(L.ones(2)), ("dropout1d", "1D")),
    ("interpolate-recompute-with-size",
     lambda L: F(L).interpolate(L.ones(1, 1, 4), size=2, recompute_scale_factor=True), ("recompute_scale_factor",)),
    ("interpolate-scale-length", lambda L: F(L).interpolate(L.ones(1, 1, 4), scale_factor=(2.0, 2.0)),
     ("scale_factor", "spatial dimensions")),
    ("multilabel_soft_margin-reduction", lambda L: F(L).multilabel_soft_margin_loss(L.ones(2, 3), L.ones(2, 3),
                                                                                    reduction="avg"), ("avg",)),
    ("gaussian_nll-reduction", lambda L: F(L).gaussian_nll_loss(L.ones(2), L.ones(2), L.ones(2), reduction="avg"),
     ("avg",)),
    ("gaussian_nll-negative-var-scalar", lambda L: F(L).gaussian_nll_loss(L.ones(2), L.ones(2), -1.0), ("var",)),
    ("group_norm-1d", lambda L: F(L).group_norm(L.ones(4), 2), ("group_norm", "2 dimensions")),
    ("rms_norm-weight", lambda L: F(L).rms_norm(L.ones(2, 3), [3], weight=L.ones(4)), ("rms_norm", "weight")),
    ("conv_transpose2d-str-padding", lambda L: F(L).conv_transpose2d(L.ones(1, 1, 4, 4), L.ones(1, 1, 2, 2),
                                                                     padding="same"), ("conv_transpose2d", "str")),
    ("conv_transpose2d-stride-length",
     lambda L: F(L).conv_transpose2d(L.ones(1, 1, 4, 4), L.ones(1, 1, 2, 2), stride=(1, 1, 1)),
     ("conv_transpose2d", "stride")),
    ("conv_transpose2d-input-dims", lambda L: F(L).conv_transpose2d(L.ones(4, 4), L.ones(1, 1, 2, 2)),
     ("conv_transpose2d", "[4, 4]")),
    ("conv_transpose2d-weight-dims", lambda L: F(L).conv_transpose2d(L.ones(1, 1, 4, 4), L.ones(1, 2)),
     ("conv_transpose2d", "weight")),
    ("conv_transpose2d-zero-groups", lambda L: F(L).conv_transpose2d(L.ones(1, 1, 4, 4), L.ones(1, 1, 2, 2), groups=0),
     ("conv_transpose2d", "groups")),
    ("conv_transpose2d-bias", lambda L: F(L).conv_transpose2d(L.ones(1, 1, 4, 4), L.ones(1, 1, 2, 2), L.ones(2)),
     ("conv_transpose2d", "bias")),
    ("conv_transpose2d-zero-stride", lambda L: F(L).conv_transpose2d(L.ones(1, 1, 4, 4), L.ones(1, 1, 2, 2), stride=0),
     ("conv_transpose2d", "stride")),
    ("conv_transpose2d-negative-padding", lambda L: F(L).conv_transpose2d(L.ones(1, 1, 4, 4), L.ones(1, 1, 2, 2),
                                                                          padding=-1), ("conv_transpose2d", "padding")),
    ("conv_transpose2d-too-small", lambda L: F(L).conv_transpose2d(L.ones(1, 1, 1, 1), L.ones(1, 1, 2, 2), padding=2),
     ("conv_transpose2d", "output size")),
    ("pixel_shuffle-dims", lambda L: F(L).pixel_shuffle(L.ones(2, 2), 2), ("pixel_shuffle", "3 dimensions")),
    ("pixel_shuffle-factor", lambda L: F(L).pixel_shuffle(L.ones(1, 4, 2, 2), 0), ("pixel_shuffle", "0")),
    ("conv3d-dims", lambda L: F(L).conv3d(L.ones(2, 2), L.ones(1, 1, 2, 2, 2)), ("conv3d", "[2, 2]")),
    ("conv3d-weight-dims", lambda L: F(L).conv3d(L.ones(1, 1, 4, 4, 4), L.ones(1, 1, 2, 2)), ("conv3d", "weight")),
    ("conv3d-zero-groups", lambda L: F(L).conv3d(L.ones(1, 1, 4, 4, 4), L.ones(1, 1, 2, 2, 2), groups=0),
     ("conv3d", "groups")),
    ("conv3d-groups-divisible", lambda L: F(L).conv3d(L.ones(1, 4, 4, 4, 4), L.ones(3, 2, 2, 2, 2), groups=2),
     ("conv3d", "groups=2")),
    ("conv3d-bias", lambda L: F(L).conv3d(L.ones(1, 1, 4, 4, 4), L.ones(1, 1, 2, 2, 2), L.ones(2)), ("conv3d", "bias")),
    ("conv3d-zero-stride", lambda L: F(L).conv3d(L.ones(1, 1, 4, 4, 4), L.ones(1, 1, 2, 2, 2), stride=0),
     ("conv3d", "stride")),
    ("conv3d-too-small", lambda L: F(L).conv3d(L.ones(1, 1, 2, 2, 2), L.ones(1, 1, 3, 3, 3)),
     ("conv3d", "Kernel size")),
    ("bilinear-dims", lambda L: F(L).bilinear(L.ones(2, 3), L.ones(4), L.ones(5, 3, 4)), ("bilinear", "2 and 1")),
    ("bilinear-batch", lambda L: F(L).bilinear(L.ones(2, 3), L.ones(3, 4), L.ones(5, 3, 4)), ("bilinear", "batch")),
    ("bilinear-weight-dims", lambda L: F(L).bilinear(L.ones(2, 3), L.ones(2, 4), L.ones(3, 4)), ("bilinear", "3-D")),
    ("bilinear-bias", lambda L: F(L).bilinear(L.ones(2, 3), L.ones(2, 4), L.ones(5, 3, 4), L.ones(6)),
     ("bilinear", "bias")),
    ("softshrink-lambda", lambda L: F(L).softshrink(L.ones(2), -1.0), ("lambda", "-1")),
    ("glu-0d", lambda L: F(L).glu(L.tensor(1.0)), ("glu", "scalars")),
    ("pdist-negative-p", lambda L: F(L).pdist(L.ones(3, 2), p=-1.0), ("pdist", "non-negative")),
    ("fold-output-size-length", lambda L: F(L).fold(L.ones(1, 4, 4), (3, 3, 3), 2), ("equals to 2", "3")),
    ("fold-zero-kernel", lambda L: F(L).fold(L.ones(1, 4, 4), (3, 3), 0), ("fold", "kernel")),
    ("unfold-3d-input", lambda L: F(L).unfold(L.ones(1, 1, 1, 4, 4), 2), ("unfold", "[1, 1, 1, 4, 4]")),
    ("fold-dims", lambda L: F(L).fold(L.ones(4), (3, 3), 2), ("fold", "[4]")),
    ("fold-blocks", lambda L: F(L).fold(L.ones(1, 4, 3), (3, 3), 2), ("fold", "output_size")),
    ("cosine_embedding-1d-target", lambda L: F(L).cosine_embedding_loss(L.ones(3), L.ones(3), L.ones(2)),
     ("1D target", "[3]")),
    ("cosine_embedding-0d-target", lambda L: F(L).cosine_embedding_loss(L.ones(2, 3), L.ones(2, 3), L.tensor(1.0)),
     ("0D target", "[2, 3]")),
    ("triplet-dims", lambda L: F(L).triplet_margin_loss(L.ones(2, 3), L.ones(2, 3), L.ones(3)),
     ("anchor", "negative 1D")),
    ("multi_margin-3d", lambda L: F(L).multi_margin_loss(L.ones(2, 3, 4), L.tensor([0, 1])), ("[2, 3, 4]",)),
    ("multi_margin-weight-size", lambda L: F(L).multi_margin_loss(L.ones(2, 3), L.tensor([0, 1]), weight=L.ones(4)),
     ("weight size", "3")),
    ("F.pad-reflect-3-pairs-on-2d", lambda L: F(L).pad(L.ones(2, 2), (1, 1, 1, 1, 1, 1), mode="reflect"),
     ("Padding length",)),
    ("F.pad-replicate-too-small", lambda L: F(L).pad(L.ones(1, 1, 2), (-3, 0), mode="replicate"), ("too small",)),
    ("F.pad-negative-crop-too-much", lambda L: F(L).pad(L.ones(1, 2), (-2, -1)), ("pad", "[-2, -1]")),
    ("one_hot-empty", lambda L: F(L).one_hot(L.zeros(0, dtype=L.int64)), ("empty tensor",)),
    ("one_hot-negative", lambda L: F(L).one_hot(L.tensor([-1])), ("non-negative",)),
    ("adaptive_max_pool1d-size-none", lambda L: F(L).adaptive_max_pool1d(L.ones(1, 2, 3), None), ("output_size",)),
    ("adaptive_avg_pool2d-size-length", lambda L: F(L).adaptive_max_pool2d(L.ones(1, 2, 3, 3), (1, 1, 1)),
     ("output_size",)),
    ("Module-buffer-name-not-str", lambda L: model(L).register_buffer(1, None), ("name", "int")),
    ("Module-buffer-exists", lambda L: model(L).register_buffer("weight", None), ("weight", "already exists")),
    ("Module-parameter-exists", lambda L: model(L).register_parameter("training", None), ("training",)),
    ("Module-assign-module-before-init", assign_module_before_init, ("before Module.__init__",)),
    ("Module-assign-module-over-child", lambda L: setattr(L.nn.Sequential(L.nn.ReLU()), "0", 3), ("int", "'0'")),
    ("Module-assign-buffer", assign_over_buffer, ("int", "buffer")),
    ("backward-pre-hook-count", lambda L: backward_pre_hook_returning(L, (L.ones(1, 2), L.ones(1, 2))),
     ("Backward pre hook", "grad_output")),
    ("backward-hook-no-grad-input", no_grad_input_hook, ("no input requires gradient",)),
    ("backward-hook-shape", lambda L: backward_hook_returning(L, (L.ones(3),)), ("invalid gradient", "[3]")),
    ("parametrize-non-tensor", lambda L: register(L, parametrization(L, lambda x: 3)), ("tensor", "int")),
    ("parametrize-dtype", lambda L: register(L, parametrization(L, lambda x: x.double())), ("dtype",)),
    ("parametrize-right-inverse-non-tensor", lambda L: register(L, parametrization(L, lambda x: x, lambda x: 3)),
     ("right_inverse", "int")),
    ("parametrize-right-inverse-shape", lambda L: register(L, parametrization(L, lambda x: x, lambda x: x.reshape(-1))),
     ("parametrization", "shape")),
    ("parametrize-unsafe-bad-inverse", lambda L: register(L, parametrization(L, lambda x: x, lambda x: [x, 3]),
                                                          unsafe=True), ("right_inverse", "int")),
    ("parametrize-assign-without-inverse", assign_parametrized_without_inverse, ("right_inverse",)),
    ("parametrize-pickle", lambda L: __import__("pickle").dumps(register(L, parametrization(L, lambda x: x))),
     ("state_dict",)),
    ("parametrize-attribute-clash", lambda L: register(L, parametrization(L, lambda x: x), "forward"),
     ("forward",)),
    ("parametrizations-spectral-iterations", lambda L: L.nn.utils.parametrizations.spectral_norm(
        model(L), n_power_iterations=0), ("n_power_iterations", "0")),
    ("parametrizations-spectral-name", lambda L: L.nn.utils.parametrizations.spectral_norm(model(L), name="w"),
     ("'w'",)),
    ("spectral_norm-none-parameter", lambda L: L.nn.utils.spectral_norm(L.nn.Linear(2, 2, bias=False), name="bias"),
     ("bias",)),
    ("PackedSequence-one-argument", packed_sequence_of_one, ("PackedSequence",)),
    ("pack_padded-1d-input", lambda L: L.nn.utils.rnn.pack_padded_sequence(L.ones(3), L.tensor([3])),
     ("pack_padded_sequence", "(3,)")),
    ("pad_sequence-not-iterable", lambda L: L.nn.utils.rnn.pad_sequence(3), ("pad_sequence", "int")),
    ("pad_sequence-side", lambda L: L.nn.utils.rnn.pad_sequence([L.ones(2)], padding_side="up"),
     ("padding_side", "up")),
    ("SGD-param-names-mixed", lambda L: (lambda o: o.add_param_group({"params": [("w", leaf(L, 2))]}))(opt(L)),
     ("names",)),
    ("Adafactor-eps1", lambda L: adafactor_option(L, eps=(-1.0, 1e-3)), ("Adafactor", "epsilon1", "-1.0")),
    ("Adafactor-eps2", lambda L: adafactor_option(L, eps=(None, -1.0)), ("Adafactor", "epsilon2", "-1.0")),
    ("Adafactor-weight-decay", lambda L: adafactor_option(L, weight_decay=-1.0), ("Adafactor", "weight_decay", "-1.0")),
    ("Adam-short-betas-in-group", adam_short_betas_in_group, ("Adam", "betas")),
    ("CyclicLR-base-lr-count", lambda L: sched(L, "CyclicLR", [0.1, 0.2], 1.0), ("base_lr", "2")),
    ("OneCycleLR-steps-per-epoch", lambda L: sched(L, "OneCycleLR", 1.0, epochs=2, steps_per_epoch=0),
     ("steps_per_epoch", "0")),
    ("OneCycleLR-not-optimizer", lambda L: L.optim.lr_scheduler.OneCycleLR(model(L), 1.0, total_steps=5),
     ("Optimizer",)),
    ("Plateau-not-optimizer", lambda L: L.optim.lr_scheduler.ReduceLROnPlateau(model(L)), ("Optimizer",)),
    ("Plateau-groups-changed", plateau_groups_changed, ("param groups",)),
    ("func.grad-non-scalar", lambda L: L.func.grad(lambda x: x * 2)(L.ones(2)), ("grad", "(2,)")),
    ("functional_call-overlap", lambda L: L.func.functional_call(model(L), ({"weight": L.ones(2, 2)},
                                                                           {"weight": L.ones(2, 2)}), (L.ones(2),)),
     ("functional_call", "weight")),
    ("functional_call-strict",
     lambda L: L.func.functional_call(model(L), {"w": L.ones(2, 2)}, (L.ones(2),), strict=True),
     ("functional_call", "'w'")),
    ("vmap-returns-int", lambda L: L.vmap(lambda x: 3)(L.ones(2)), ("vmap", "int")),
    ("device-cuda", lambda L: L.ones(2, device="cuda"), ("ones", "cuda")),
    ("embedding_bag-offsets-decreasing", lambda L: F(L).embedding_bag(L.tensor([0, 1, 1]), L.ones(3, 2),
                                                                       L.tensor([0, 2, 1])), ("offsets", "[0, 2, 1]")),
    ("embedding_bag-psw-dtype", lambda L: F(L).embedding_bag(L.tensor([0, 1]), L.ones(3, 2), L.tensor([0]), mode="sum",
                                                             per_sample_weights=L.ones(2, dtype=L.float64)),
     ("per_sample_weights", "float64")),
    ("GRUCell-hidden-size", lambda L: L.nn.GRUCell(2, 3)(L.ones(1, 2), L.ones(1, 4)), ("hidden", "4", "3")),
]


def lstm_with_one_state(L):
    L.nn.LSTM(2, 3)(L.ones(1, 1, 2), L.ones(1, 1, 3))


def lbfgs_extra_group(L):
    L.optim.LBFGS([leaf(L, 2)]).add_param_group({"params": [leaf(L, 2)]})


def load_wrong_state(L):
    o = opt(L, momentum=0.9)
    state = o.state_dict()
    state["state"] = {0: {"momentum_buffer": L.ones(3)}}
    o.load_state_dict(state)


def load_garbage(L):
    import io

    L.load(io.BytesIO(b"garbage"))


# ---- deliberate differences ------------------------------------------------------------------------------------------
# (id, call(L), pathgrad's error type, why it stays): torch raises another type here, or nothing at all.
DELIBERATE = [
    ("Tensor-of-strings", lambda L: L.tensor(["a"]), TypeError,
     "torch: ValueError for a list of str but TypeError for a str; one check in the Tensor constructor (left as it "
     "is: it is on the lecture's path) raises TypeError for both"),
    ("LSTM-hx-not-tuple", lstm_with_one_state, TypeError,
     "torch's IndexError is an accident of indexing the tensor hx[1] (with a first dim of 2 it runs on to a shape "
     "error); a TypeError says what is wrong"),
    ("optimizer-load_state_dict-empty", lambda L: opt(L).load_state_dict({}), ValueError,
     "documented: load_state_dict checks everything first and raises ValueError (torch: KeyError 'param_groups')"),
    ("optimizer-load_state_dict-int", lambda L: opt(L).load_state_dict(3), ValueError,
     "documented: as above (torch: AttributeError, 'int' object has no attribute 'copy')"),
    ("optimizer-load_state_dict-state-shape", load_wrong_state, ValueError,
     "documented: as above (torch loads a momentum buffer of the wrong shape silently)"),
    ("optimizer-duplicate-parameter", lambda L: (lambda p: L.optim.SGD([p, p], lr=0.1))(leaf(L, 2)), ValueError,
     "torch only warns, then updates the parameter twice per step"),
    ("LBFGS-add_param_group", lbfgs_extra_group, ValueError,
     "torch accepts the group and then never updates it (its step reads group 0 only)"),
    ("LBFGS-line_search_fn", lambda L: L.optim.LBFGS([leaf(L, 2)], line_search_fn="armijo"), ValueError,
     "torch ignores an unknown line search silently"),
    ("pack_padded-length-beyond-input", lambda L: L.nn.utils.rnn.pack_padded_sequence(L.ones(3, 2), L.tensor([5, 1])),
     RuntimeError, "torch packs steps that are not in the input without a word"),
    ("functional_call-unknown-key", lambda L: L.func.functional_call(model(L), {"w": L.ones(2, 2)}, (L.ones(2),)),
     RuntimeError, "torch ignores a name that is not the module's (a typo would go unnoticed)"),
    ("set_printoptions-profile", lambda L: L.set_printoptions(profile="tiny"), ValueError,
     "torch ignores an unknown profile"),
    ("nn.load-not-a-checkpoint", load_garbage, ValueError,
     "CheckpointError is a ValueError by design (nn.save's format is not a pickle; torch: UnpicklingError)"),
    ("adaptive_avg_pool1d-empty", lambda L: F(L).adaptive_avg_pool1d(L.ones(1, 2, 0), 1), RuntimeError,
     "torch's average of nothing; pathgrad raises, as adaptive_max_pool1d does in both"),
    ("as_strided-non-contiguous", lambda L: L.ones(2, 3).t().as_strided((2,), (1,)), RuntimeError,
     "a limitation: pathgrad's as_strided reads contiguous memory only, and says so"),
    ("max_pool2d-ceil_mode", lambda L: F(L).max_pool2d(L.ones(1, 1, 5, 5), 2, ceil_mode=True), NotImplementedError,
     "a limitation: ceil_mode is not implemented"),
]


def _run(call, lib):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(Exception) as info:
            call(lib)
    return info.value


def _builtin(error: BaseException) -> type:
    """The built-in exception type that ``error`` is (torch raises subclasses of them, e.g. LinAlgError)."""
    return next(t for t in type(error).__mro__ if t.__module__ == "builtins")


TABLES = {"autograd": AUTOGRAD, "tensor_engine": TENSOR_ENGINE, "functional": FUNCTIONAL, "modules": MODULES,
          "optim": OPTIM, "distributions": DISTRIBUTIONS, "more": MORE, "rest": REST}
ROWS = [(f"{table}:{row[0]}", *row[1:]) for table, rows in TABLES.items() for row in rows]


def test_the_rows_are_distinct():
    ids = [row[0] for row in ROWS + DELIBERATE]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("call, names", [row[1:] for row in ROWS], ids=[row[0] for row in ROWS])
def test_bad_input_raises_torchs_error_type_with_a_message_that_names_it(call, names):
    theirs = _run(call, torch)
    ours = _run(call, pathgrad)
    assert isinstance(ours, _builtin(theirs)), f"pathgrad: {ours!r}; torch: {theirs!r}"
    for name in names:
        assert name in str(ours), f"{name!r} is not in pathgrad's message {str(ours)!r}"


@pytest.mark.parametrize("call, ours_type, why", [row[1:] for row in DELIBERATE], ids=[row[0] for row in DELIBERATE])
def test_deliberate_differences_stay_as_documented(call, ours_type, why):
    assert isinstance(_run(call, pathgrad), ours_type), why
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            call(torch)
        except Exception as theirs:  # torch raises, but not what pathgrad raises
            assert not isinstance(theirs, ours_type), why
