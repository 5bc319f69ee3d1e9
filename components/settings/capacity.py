"""Settings of the capacity plan (``securecart:capacity``): the peak traffic each customer path must carry in this
region, what one task of each delivery service serves (from load tests), and the headroom kept above the peak.

The resilience report (``automation/resilience.py``) sets each service's surge capacity (its scaling maximum times
its requests per task) against the peak of the paths it serves, and the pack's ``capacity-covers-peak`` rule
gates on the same figures, read from the tags the delivery tier puts on each ECS service (``capacity_tags``).

Which services serve which path is read from the delivery settings, not restated here (``path_services``):
browse is the ALB's default ('/*') service, checkout the accelerated services (else the ALB services whose paths
start with /checkout), payment the service offered over PrivateLink (else the nlb services the checkout calls).
"""

from collections.abc import Mapping
from enum import StrEnum
from typing import Annotated

from pydantic import Field

from components.settings.delivery import DeliverySettings, LoadBalancerKind
from components.settings.types import Model

# Problems name their key under securecart: (the loader adds the namespace, as for every tier).
CONFIG_KEY = "capacity"

# The tags the delivery tier puts on each ECS service so that the pack can gate on capacity in a real preview
# (securecart_rules.resilience reads exactly these keys).
TAG_PEAK = "securecart:peakRps"
TAG_PER_TASK = "securecart:requestsPerTask"
TAG_HEADROOM = "securecart:headroom"
TAG_REGION_LOSS_PEAK = "securecart:regionLossPeakRps"


class CustomerPath(StrEnum):
    BROWSE = "browse"      # the storefront pages, through CloudFront and the api records
    CHECKOUT = "checkout"  # the cart and checkout, through the accelerator (and /checkout* on the api name)
    PAYMENT = "payment"    # the payment gateway behind the NLB, called by checkout and the partners


PositiveRate = Annotated[float, Field(gt=0, le=10_000_000)]


class CapacitySettings(Model):
    peak_requests_per_second: dict[CustomerPath, PositiveRate] = Field(
        default_factory=dict, alias="peakRequestsPerSecond",
        description="Path (browse, checkout, payment) -> the peak requests per second this region's customers send "
                    "on it (the sale-day forecast); default none: no path has a declared peak, and nothing is "
                    "checked against capacity.")
    requests_per_task: dict[str, PositiveRate] = Field(
        default_factory=dict, alias="requestsPerTask",
        description="Delivery service -> requests per second one task serves at its scaling target (from load "
                    "tests); default none. Every service that serves a path with a declared peak needs one.")
    headroom: float = Field(
        default=0.3, ge=0, le=4,
        description="Fraction of spare capacity required above the declared peak at the scaling maximum "
                    "(0.3: capacity must be at least 1.3 x peak); default 0.3.")
    absorb_peer_on_region_loss: bool = Field(
        default=False, alias="absorbPeerOnRegionLoss",
        description="Whether this region must carry the other region's peak too when that region is lost (its "
                    "peak plus the peer's, with the headroom): the services are tagged with both regions' peak "
                    "(the peer exports its own, peakRequestsPerSecond) and the pack's capacity-covers-peak gates "
                    "on it, as does the report; default false: the report shows the figure only.")


def path_services(delivery: DeliverySettings, private_link_service: str | None = None) -> dict[CustomerPath, list[str]]:
    """The delivery services that serve each customer path (see the module docstring), sorted by name."""
    alb = [s for s in delivery.services if s.load_balancer is LoadBalancerKind.ALB]
    nlb = [s for s in delivery.services if s.load_balancer is LoadBalancerKind.NLB]
    default = delivery.default_service
    checkout = [s.name for s in alb if s.accelerated] or \
        [s.name for s in alb if any(p.startswith("/checkout") for p in s.path_patterns)]
    names = {s.name for s in delivery.services}
    if private_link_service is not None and private_link_service in names:
        payment = [private_link_service]
    else:
        payment = [s.name for s in nlb if any(c in delivery.callers(s) for c in checkout)]
    return {
        CustomerPath.BROWSE: [default.name] if default is not None else [],
        CustomerPath.CHECKOUT: sorted(checkout),
        CustomerPath.PAYMENT: sorted(payment),
    }


def capacity_problems(capacity: CapacitySettings, delivery: DeliverySettings | None,
                      private_link_service: str | None = None) -> list[str]:
    """What is wrong with ``securecart:capacity`` against the stack's delivery services, one line per problem
    naming the key under ``securecart:`` (``capacity.requestsPerTask.<name>: …``, as the loader expects of a
    StackSettings validator's lines): a ``requestsPerTask`` entry that is not a service, a declared peak whose
    services have no ``requestsPerTask``, a peak on a path no service serves. StackSettings' validators call it."""
    services = [s.name for s in delivery.services] if delivery is not None else []
    problems = [f"{CONFIG_KEY}.requestsPerTask.{name}: '{name}' is not a delivery service of this stack: use one "
                f"of {', '.join(services) or '(none: securecart:delivery has no services)'}"
                for name in sorted(capacity.requests_per_task) if name not in services]
    if delivery is None:
        problems += [f"{CONFIG_KEY}.peakRequestsPerSecond.{path}: this stack has no delivery services to serve "
                     f"it" for path in sorted(capacity.peak_requests_per_second)]
        return problems
    serving = path_services(delivery, private_link_service)
    for path in sorted(capacity.peak_requests_per_second):
        if not serving[path]:
            problems.append(f"{CONFIG_KEY}.peakRequestsPerSecond.{path}: no delivery service serves the {path} "
                            f"path in this stack")
        for name in serving[path]:
            if name not in capacity.requests_per_task:
                problems.append(f"{CONFIG_KEY}.requestsPerTask: no figure for {name}, which serves the {path} "
                                f"path's declared peak: add {name}: <requests per second one task serves>")
    return problems


def service_peaks(capacity: CapacitySettings, delivery: DeliverySettings,
                  private_link_service: str | None = None) -> dict[str, float]:
    """The declared peak each service must carry: the sum of the peaks of the paths it serves."""
    peaks: dict[str, float] = {}
    for path, names in path_services(delivery, private_link_service).items():
        for name in names:
            if path in capacity.peak_requests_per_second:
                peaks[name] = peaks.get(name, 0.0) + capacity.peak_requests_per_second[path]
    return peaks


def _number(value: float) -> str:
    return f"{value:g}"


def capacity_tags(capacity: CapacitySettings, delivery: DeliverySettings, service: str, *,
                  peer_peaks: Mapping[str, float] | None = None,
                  private_link_service: str | None = None) -> dict[str, str]:
    """The tags the delivery tier puts on ``service``'s ECS service (none when it has no declared peak): its peak,
    its requests per task, the headroom, and, where the region must absorb the peer's peak
    (``absorbPeerOnRegionLoss``), the peak of both: ``peer_peaks`` is what the peer exports of its services' peaks
    (the stack contract), None until it has."""
    peaks = service_peaks(capacity, delivery, private_link_service)
    if service not in peaks or service not in capacity.requests_per_task:
        return {}
    tags = {TAG_PEAK: _number(peaks[service]), TAG_PER_TASK: _number(capacity.requests_per_task[service]),
            TAG_HEADROOM: _number(capacity.headroom)}
    if capacity.absorb_peer_on_region_loss and peer_peaks is not None:
        tags[TAG_REGION_LOSS_PEAK] = _number(peaks[service] + float(peer_peaks.get(service, 0.0)))
    return tags


def declared(capacity: Mapping[str, CapacitySettings], stack: str) -> CapacitySettings:
    """A stack's capacity settings, or the defaults (nothing declared) where it has none."""
    return capacity.get(stack) or CapacitySettings()
