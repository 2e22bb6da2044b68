"""Probability distributions with torch.distributions' API: sample / rsample, log_prob, entropy, mean, mode,
stddev, variance, batch_shape and event_shape, argument validation, and ``kl_divergence``.

Draws come from autograd's generator, so ``autograd.manual_seed`` makes them reproducible (the numbers differ from
torch's, whose generator is another). ``rsample`` (where ``has_rsample``) is differentiable in the parameters: the
reparameterisation trick, e.g. a Normal draw is loc + scale·ε with ε ~ N(0, 1).

    >>> import autograd as ag
    >>> from autograd.distributions import Normal
    >>> loc = ag.tensor(0.0, requires_grad=True)
    >>> Normal(loc, 1.0).log_prob(ag.tensor(1.0)).backward()
    >>> loc.grad            # d/dloc of −(x − loc)²/2 at x = 1
    tensor(1.)
"""

from . import constraints
from .continuous import Exponential, Laplace, Normal, Uniform
from .discrete import Bernoulli, Categorical, OneHotCategorical
from .distribution import Distribution
from .independent import Independent
from .kl import kl_divergence, register_kl
from .multivariate_normal import MultivariateNormal

__all__ = ["Bernoulli", "Categorical", "Distribution", "Exponential", "Independent", "Laplace", "MultivariateNormal",
           "Normal", "OneHotCategorical", "Uniform", "constraints", "kl_divergence", "register_kl"]
