# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 7 · Second order: the Hessian, Newton, BFGS, L-BFGS, CG
#
# Lecture **004** (Schönhuth), "Hessian technique": by Taylor's theorem
#
# $$C(\mathbf w + \delta\mathbf w) \approx C(\mathbf w) + \nabla C\,\delta\mathbf w + \tfrac12\,\delta\mathbf w^T H\,
# \delta\mathbf w, \qquad H_{jk} = \frac{\partial^2 C}{\partial w_j \partial w_k},$$
#
# and the right-hand side is minimised by $\delta\mathbf w = -H^{-1}\nabla C$. Iterating
# $\mathbf w \leftarrow \mathbf w - \eta H^{-1}\nabla C$ "takes into account how fast the gradient changes", and
# "theoretical and empirical evidence says that less iterations are needed" — but $H$ has $N^2$ entries. The
# lecture's alternatives: conjugate gradient, BFGS and L-BFGS (also lecture 000's "batch-style" zoo).

# %%
# %matplotlib inline
# %config InlineBackend.figure_formats = ['png']
import numpy as np
import matplotlib.pyplot as plt
plt.rcParams.update({"figure.dpi": 72, "figure.figsize": (4.5, 3.2), "font.size": 9})
import autograd
from autograd import viz
import nn
import optim
from autograd.functional import hessian, hvp
from exercises.checks_07 import check_7_1, check_7_2   # self-checks for the exercises at the end


# %% [markdown]
# ## The Hessian from the engine
#
# pathgrad differentiates its own backward pass (`create_graph=True`), so `autograd.functional.hessian` gives
# exact second derivatives. Check them on Rosenbrock's function $C(x, y) = (1-x)^2 + 100(y - x^2)^2$, whose
# Hessian is $\begin{pmatrix}1200x^2 - 400y + 2 & -400x\\ -400x & 200\end{pmatrix}$.

# %%
def rosenbrock(w):
    return (1 - w[0]) ** 2 + 100 * (w[1] - w[0] ** 2) ** 2

w0 = autograd.tensor([-1.2, 1.0], dtype=autograd.float64)
H = hessian(rosenbrock, w0).numpy()
x, y = w0.numpy()
H_exact = np.array([[1200 * x ** 2 - 400 * y + 2, -400 * x], [-400 * x, 200]])
print("H from the engine:\n", H)
assert np.allclose(H, H_exact)

# a Hessian-vector product without forming H: what CG-style and truncated-Newton methods use
v = autograd.tensor([1.0, -2.0], dtype=autograd.float64)
assert np.allclose(hvp(rosenbrock, w0, v)[1].numpy(), H_exact @ v.numpy())

# %% [markdown]
# How differentiating backward works, on $y = x^3$ at $x = 2$: `autograd.grad(..., create_graph=True)` records the
# backward pass itself as a graph, so the gradient $\mathrm dy/\mathrm dx = 3x^2 = 12$ is a tensor with a history.
# In its drawing (top to bottom) the ops are those of the power rule — $x^2$, times 3, times the seed
# $\partial y/\partial y = 1$ (the unnamed box holding 1) — and backward through *them* leaves
# $\partial(\mathrm dy/\mathrm dx)/\partial x = 6x = 12$ on $x$'s box: the second derivative.

# %%
x = autograd.tensor(2.0, dtype=autograd.float64, requires_grad=True)
y = x ** 3
(dy_dx,) = autograd.grad(y, x, create_graph=True)
dy_dx.backward()
assert dy_dx.item() == 12 and x.grad.item() == 12               # 3x² and 6x at x = 2
viz.draw_graph(dy_dx, names=locals(), rankdir="TB")

# %% [markdown]
# The second-order Taylor model of lecture 004, eq. (12), is accurate to third order: halving the step
# divides its error by about 8.

# %%
wt = w0.clone().requires_grad_()
g = autograd.grad(rosenbrock(wt), wt)[0].numpy()
C0 = rosenbrock(w0).item()
direction = np.array([0.3, -0.2])
errs = []
for h in [1e-1, 5e-2, 2.5e-2]:
    dw = h * direction
    taylor = C0 + g @ dw + 0.5 * dw @ H @ dw
    actual = rosenbrock(autograd.tensor(w0.numpy() + dw)).item()
    errs.append(abs(actual - taylor))
    print(f"|δw| = {np.linalg.norm(dw):.4f}: C = {actual:.6f}, quadratic model = {taylor:.6f}, error {errs[-1]:.2e}")
ratios = [errs[i] / errs[i + 1] for i in range(2)]
print("error ratios:", np.round(ratios, 2))
assert all(6 < r < 10 for r in ratios)


# %% [markdown]
# ## What the Hessian says about a critical point (lecture 002)
#
# Where $\nabla C = 0$ the first-order term of the Taylor model vanishes and $\tfrac12\,\delta\mathbf w^T H\,
# \delta\mathbf w$ decides. Lecture 002's optimisation refresher: "Hessian eigenvectors give directions", the
# eigenvalues the curvature along them, "analog to 2nd deriv": all eigenvalues positive ($H$ positive definite) —
# a local minimum; all negative — a local maximum; some positive and some negative — a saddle, a maximum in one
# direction and a minimum in another; an eigenvalue 0 — an inflection that "requires further investigation". Four
# surfaces with a critical point at the origin, and the eigenvalues of their Hessians from the engine:

# %%
surfaces = {   # name: (formula, f), each with a critical point at the origin
    "minimum": ("x² + ½y²", lambda w: w[0] ** 2 + 0.5 * w[1] ** 2),
    "maximum": ("−x² − ½y²", lambda w: -w[0] ** 2 - 0.5 * w[1] ** 2),
    "saddle": ("x² − ½y²", lambda w: w[0] ** 2 - 0.5 * w[1] ** 2),
    "inconclusive": ("x² + ½y³", lambda w: w[0] ** 2 + 0.5 * w[1] ** 3),
}
origin = autograd.tensor([0.0, 0.0], dtype=autograd.float64)
u1, u2 = np.meshgrid(np.linspace(-1, 1, 41), np.linspace(-1, 1, 41))
fig = plt.figure(figsize=(9, 2.6))
eigenvalues = {}
for i, (name, (formula, f)) in enumerate(surfaces.items()):
    wc = origin.clone().requires_grad_()
    assert np.allclose(autograd.grad(f(wc), wc)[0].numpy(), 0)           # a critical point: ∇f = 0
    lam = np.linalg.eigvalsh(hessian(f, origin).numpy())
    eigenvalues[name] = lam
    ax = fig.add_subplot(1, 4, i + 1, projection="3d")
    ax.plot_surface(u1, u2, f(np.array([u1, u2])), cmap="coolwarm", linewidth=0, antialiased=True)
    ax.scatter([0], [0], [0], color="k", s=12)
    ax.set_title(f"{formula}: {name}\nHessian eigenvalues {lam[0]:g}, {lam[1]:g}", fontsize=8, pad=0)
    ax.set_xticks([]); ax.set_yticks([]); ax.set_zticks([])
fig.subplots_adjust(left=0, right=1, bottom=0, top=0.85, wspace=0.05); plt.show()

assert (eigenvalues["minimum"] > 0).all() and (eigenvalues["maximum"] < 0).all()
assert eigenvalues["saddle"].min() < 0 < eigenvalues["saddle"].max()
assert np.allclose(sorted(eigenvalues["inconclusive"]), [0, 2])      # a zero eigenvalue: the test cannot decide

# %% [markdown]
# Lecture 000 warns that network losses are not convex: "gradient methods get trapped in local optima or saddle
# points". At a saddle the gradient is zero too, so gradient descent started exactly there stays; the Hessian's
# negative eigenvalue is the way down.

# %% [markdown]
# ## On a quadratic, Newton needs one step
#
# For $C(\mathbf w) = \frac12\mathbf w^T A\mathbf w$ the quadratic model is exact, so one Newton step
# $\mathbf w - A^{-1}A\mathbf w = 0$ lands on the minimum, whatever the conditioning. Gradient descent's step size
# is limited by the steepest direction ($\eta < 2/\lambda_{\max}$), so its iteration count grows with the
# condition number $\kappa = \lambda_{\max}/\lambda_{\min}$ — the ravine of notebook 6.
# `optim.Newton(lr=η, max_iter=1, line_search_fn=None)` is exactly the lecture's update.

# %%
def iterations(make_opt, loss_fn, w_start, tol, max_steps, closure_backward=True):
    """Number of optimiser iterations until loss < tol (one iteration per step)."""
    w = autograd.tensor(w_start, dtype=autograd.float64, requires_grad=True)
    opt = make_opt([w])
    path = [w.detach().numpy().copy()]
    def closure():
        opt.zero_grad()
        loss = loss_fn(w)
        if closure_backward:
            loss.backward()
        return loss
    for k in range(1, max_steps + 1):
        opt.step(closure)
        path.append(w.detach().numpy().copy())
        with autograd.no_grad():
            if loss_fn(w).item() < tol:
                return k, np.array(path)
    return None, np.array(path)

rows = []
for kappa in [10, 30, 100]:
    A = autograd.tensor(np.diag([1.0, kappa]), dtype=autograd.float64)
    quad = lambda w, A=A: 0.5 * (w @ A @ w)
    n_newton, _ = iterations(lambda p: optim.Newton(p, lr=1, max_iter=1, line_search_fn=None),
                             quad, [1.0, 1.0], 1e-10, 10, closure_backward=False)
    n_gd, _ = iterations(lambda p, k=kappa: optim.SGD(p, lr=1.0 / k), quad, [1.0, 1.0], 1e-10, 20000)
    rows.append((kappa, n_gd, n_newton))
    assert n_newton == 1 and n_gd > 10 * kappa
print(f"{'kappa':>6} {'GD iterations':>14} {'Newton iterations':>18}")
for kappa, n_gd, n_newton in rows:
    print(f"{kappa:>6} {n_gd:>14} {n_newton:>18}")

# %% [markdown]
# ## Rosenbrock's banana: Newton vs GD vs BFGS, L-BFGS, CG
#
# A curved valley, started at the classic $(-1.2, 1)$; the minimum is $(1, 1)$. Count iterations until
# $C < 10^{-8}$. The closure-driven optimisers take a `closure` that re-evaluates the loss (for `Newton`, without
# calling `backward()`: it differentiates twice itself), and all except GD use a strong-Wolfe line search.
#
# * **Newton**: the exact Hessian each iteration ($N$ backward passes, $N^2$ memory);
# * **BFGS**: builds an approximation of $H^{-1}$ from successive gradient differences ($N^2$ memory, no second
#   derivatives);
# * **L-BFGS**: the same from the last few gradient pairs only ($O(N)$ memory — the one that scales to networks);
# * **conjugate gradient**: each direction is made conjugate to the previous one ($O(N)$ memory).

# %%
tol, start = 1e-8, [-1.2, 1.0]
methods = {
    "Newton":  (lambda p: optim.Newton(p, max_iter=1), False),
    "BFGS":    (lambda p: optim.BFGS(p, max_iter=1), True),
    # max_eval=25: LBFGS's default budget (5/4 · max_iter = 1) would leave its line search no evaluations
    "L-BFGS":  (lambda p: optim.LBFGS(p, max_iter=1, max_eval=25, line_search_fn="strong_wolfe"), True),
    "CG":      (lambda p: optim.ConjugateGradient(p, max_iter=1), True),
    "GD":      (lambda p: optim.SGD(p, lr=1e-3), True),
}
results = {}
for name, (make, needs_backward) in methods.items():
    n, path = iterations(make, rosenbrock, start, tol, 3000 if name == "GD" else 500, needs_backward)
    results[name] = (n, path)
    final = rosenbrock(autograd.tensor(path[-1])).item()
    print(f"{name:7s} {'did not converge in' if n is None else 'converged in':>19} {len(path) - 1:5d} "
          f"iterations, C = {final:.1e}")

n_newton = results["Newton"][0]
assert n_newton is not None and n_newton < 40
for name in ["BFGS", "L-BFGS", "CG"]:
    assert results[name][0] is not None and n_newton <= results[name][0], name
assert results["GD"][0] is None or results["GD"][0] > 20 * n_newton      # GD: thousands of iterations

# %%
gx, gy = np.meshgrid(np.linspace(-1.6, 1.6, 160), np.linspace(-0.6, 2.0, 160))
C = (1 - gx) ** 2 + 100 * (gy - gx ** 2) ** 2
fig, axes = plt.subplots(1, 2, figsize=(9, 3.2))
axes[0].contour(gx, gy, np.log10(C + 1e-3), 15, cmap="Greys", linewidths=0.5)
for name, (n, path) in results.items():
    axes[0].plot(path[:, 0], path[:, 1], ".-", ms=3, lw=0.9, label=name)
    losses = [rosenbrock(autograd.tensor(p)).item() for p in path[::max(1, len(path) // 300)]]
    axes[1].semilogy(np.arange(len(path))[::max(1, len(path) // 300)], losses, label=name)
axes[0].plot(1, 1, "k*", ms=8); axes[0].legend(fontsize=7); axes[0].set_title("paths from (-1.2, 1)")
axes[1].set_xscale("symlog", linthresh=50); axes[1].set_xlabel("iteration"); axes[1].set_ylabel("C")
axes[1].axhline(tol, color="k", lw=0.5, ls=":"); axes[1].legend(fontsize=7); axes[1].set_title("loss")
plt.tight_layout(); plt.show()

# %% [markdown]
# Newton and the quasi-Newton methods follow the banana-shaped valley in tens of iterations; gradient descent,
# whose step is capped by the steep walls, crawls along the floor and is still far from $(1, 1)$ after thousands.
#
# ## Why not Newton for networks?
#
# "Issue is the size of $H$, which is of size $N^2$ if $N$ is the number of parameters … there could be
# $N = 10^7$ many parameters" (lecture 004).

# %%
N = 10 ** 7
print(f"N = {N:.0e} parameters: H has {N ** 2:.0e} entries = {N ** 2 * 4 / 1e12:.0f} TB in float32;")
print(f"L-BFGS with history 10 stores 2·10·N numbers = {2 * 10 * N * 4 / 1e9:.1f} GB")
assert N ** 2 == 10 ** 14

# %% [markdown]
# ## Exercise 7.1 · Classify a critical point
#
# Write `classify(H)`: given the (symmetric) Hessian at a critical point, return `"minimum"`, `"maximum"`,
# `"saddle"` or `"inconclusive"` by lecture 002's rule above. It must work in any dimension and for Hessians that
# are not diagonal. `check_7_1` tries matrices chosen to catch shortcuts, and one Hessian from the engine.

# %%
def classify(H):
    """'minimum', 'maximum', 'saddle' or 'inconclusive' for a critical point with Hessian H (a NumPy array)."""
    return None          # your code

check_7_1(classify)

# %% [markdown]
# ## Exercise 7.2 · The Newton step
#
# Lecture 004, eq. (13): the step $\delta\mathbf w$ that minimises the quadratic model
# $C + \nabla C\,\delta\mathbf w + \tfrac12\,\delta\mathbf w^T H\,\delta\mathbf w$. Write `newton_step(grad, H)`
# with NumPy, returning $\delta\mathbf w$. `check_7_2` tries it at Rosenbrock's $(-1.2, 1)$ with the engine's
# gradient and Hessian, and on a random positive-definite quadratic.

# %%
def newton_step(grad, H):
    """δw minimising ∇C·δw + ½ δwᵀ H δw (lecture 004, eq. 13)."""
    return None          # your formula

check_7_2(newton_step)
