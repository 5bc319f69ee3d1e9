"""Settings of the edge (``securecart:edge``, primary stack only): the domain and its record names, geolocation
routing, the regions' health checks and the failover bound, CloudFront's price class, paths and WAF rate limit,
and Global Accelerator's traffic dials.

The failover figures (``failover_figures``) are computed here, from the settings and from the target-group health
settings the delivery tier uses, so that config validation can refuse a setting whose detection time exceeds the
bound, and the edge tier exports exactly what was validated.
"""

import re
from typing import Annotated

from pydantic import Field, field_validator, model_validator

from components.settings.delivery import TARGET_HEALTH_INTERVAL, TARGET_UNHEALTHY_THRESHOLD
from components.settings.types import REGION_AZ_LETTERS, AuditRetentionDays, KnownRegion, Model

# A DNS name SecureCart may own: lowercase labels of letters, digits and inner hyphens, at least two labels, a
# top-level label of letters, at most 253 characters (RFC 1035; Route 53 takes the rest of the name as given).
_LABEL = r"(?!-)[a-z0-9-]{1,63}(?<!-)"
_DOMAIN = re.compile(rf"^(?=.{{1,253}}$)(?:{_LABEL}\.)+[a-z]{{2,63}}$")

# Route 53's geolocation codes: continents, ISO 3166-1 alpha-2 countries, and US states as subdivisions
# (Route 53 "Geolocation routing"; ListGeoLocations).
def _codes(text: str) -> list[str]:
    return text.split()


CONTINENTS = ("AF", "AN", "AS", "EU", "NA", "OC", "SA")
COUNTRIES = frozenset(_codes("""
AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC
CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD
GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH
KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW
MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC
SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY
UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW"""))
US_STATES = frozenset(_codes("""
AK AL AR AZ CA CO CT DC DE FL GA HI IA ID IL IN KS KY LA MA MD ME MI MN MO MS MT NC ND NE NH NJ NM NV NY OH OK OR PA
RI SC SD TN TX UT VA VT WA WI WV WY"""))

# Regions Route 53's health checkers measure from (CreateHealthCheck HealthCheckConfig.Regions).
CHECKER_REGIONS = ("us-east-1", "us-west-1", "us-west-2", "eu-west-1", "ap-southeast-1", "ap-southeast-2",
                   "ap-northeast-1", "sa-east-1")

# What a DNS client may still hold after Route 53 stops answering with a failed region: alias records to load
# balancers take the load balancer's TTL, which Elastic Load Balancing fixes at 60 seconds.
ALIAS_TTL_SECONDS = 60


def geolocation_kind(code: str) -> str:
    """Which Route 53 geolocation field ``code`` fills: continent, country or subdivision (``US-WA``)."""
    if code in CONTINENTS:
        return "continent"
    if code in COUNTRIES:
        return "country"
    if code.startswith("US-") and code[3:] in US_STATES:
        return "subdivision"
    raise ValueError(f"{code!r} is not a Route 53 geolocation: use a continent ({', '.join(CONTINENTS)}), a "
                     f"two-letter ISO country code (e.g. DE) or a US state (e.g. US-WA)")


class GeoRoute(Model):
    location: str = Field(description="Required. Continent code (EU, NA, …), ISO country code (DE) or US state "
                                      "(US-WA) whose customers this entry routes.")
    region: KnownRegion = Field(description="Required. The region (one of the two stacks') those customers use "
                                            "while it is healthy; when it is not, they get the nearest healthy one.")

    @field_validator("location")
    @classmethod
    def _known(cls, v: str) -> str:
        geolocation_kind(v)
        return v


class HealthCheckSettings(Model):
    path: str = Field(default="/healthz", pattern=r"^/[A-Za-z0-9._~/-]{0,254}$",
                      description="Path Route 53 requests on each region's ALB over HTTPS; default /healthz (the "
                                  "default service's health path). The ALB's WAF lets unverified GETs of exactly "
                                  "this path through, for the checkers.")
    interval_seconds: int = Field(default=10, alias="intervalSeconds",
                                  description="Seconds between one checker's requests: 10 or 30 (Route 53 offers "
                                              "no other, and it cannot change after creation); default 10.")
    failure_threshold: int = Field(default=3, ge=1, le=10, alias="failureThreshold",
                                   description="Consecutive failures before a region is unhealthy (1-10); "
                                               "default 3.")
    regions: list[str] = Field(default_factory=lambda: ["us-east-1", "us-west-2", "eu-west-1"], min_length=3,
                               description="Regions the checkers measure from (at least 3 of Route 53's); default "
                                           "us-east-1, us-west-2, eu-west-1.")

    @field_validator("interval_seconds")
    @classmethod
    def _interval(cls, v: int) -> int:
        if v not in (10, 30):
            raise ValueError(f"{v} is not a Route 53 request interval: use 10 or 30")
        return v

    @field_validator("regions")
    @classmethod
    def _checker_regions(cls, v: list[str]) -> list[str]:
        unknown = [r for r in v if r not in CHECKER_REGIONS]
        if unknown:
            raise ValueError(f"{', '.join(unknown)}: Route 53 checks only from {', '.join(CHECKER_REGIONS)}")
        if len(set(v)) != len(v):
            raise ValueError("a checker region is listed twice")
        return v


class AcceleratorSettings(Model):
    traffic_dials: dict[str, Annotated[float, Field(ge=0, le=100)]] = Field(
        default_factory=dict, alias="trafficDials",
        description="Region -> percentage of the traffic its nearest customers send there (0-100); default 100 "
                    "for each region (active-active). 0 drains a region: its customers go to the other.")

    @field_validator("traffic_dials", mode="before")
    @classmethod
    def _dials(cls, v: object) -> object:
        if isinstance(v, dict):
            for region, dial in v.items():
                if region not in REGION_AZ_LETTERS:
                    raise ValueError(f"{region!r} is not an AWS region SecureCart deploys to: use one of "
                                     f"{', '.join(sorted(REGION_AZ_LETTERS))}")
                if isinstance(dial, int | float) and not 0 <= dial <= 100:
                    raise ValueError(f"{region}: {dial} is outside 0-100 (100 = full share, 0 = drained)")
        return v

    def dial(self, region: str) -> float:
        return float(self.traffic_dials.get(region, 100))


class EdgeSettings(Model):
    domain: str = Field(description="Required. The shop's public domain (e.g. securecart.example); the primary "
                                    "stack creates its public hosted zone: delegate it at the registrar to the "
                                    "exported name servers.")
    zone_delegated: bool = Field(
        default=False, alias="zoneDelegated",
        description="Whether the domain is delegated to the zone this stack creates. ACM validates through public "
                    "DNS, so until it is, the program creates the zone (and logs its name servers) but requests "
                    "no certificate and builds nothing that serves one; delegate the domain at the registrar, "
                    "set true and deploy again. Default false (a first deploy never waits on a validation).")
    storefront: str | None = Field(
        default=None, description="Storefront name (CloudFront); default www.<domain>.")
    api: str | None = Field(
        default=None, description="Regional API name: geolocation and latency records over both regions' ALBs, "
                                  "each bound to its region's health check; CloudFront's origin for dynamic paths. "
                                  "Default api.<domain>.")
    checkout: str | None = Field(
        default=None, description="Checkout name (Global Accelerator); default checkout.<domain>.")
    partners: str | None = Field(
        default=None, description="The partners' API name (API Gateway's custom domain in each region, latency "
                                  "records bound to each region's health); default partners.<domain>.")
    geolocation: list[GeoRoute] = Field(
        default_factory=list,
        description="Customers of a continent, country or US state -> a region; default none (latency routing "
                    "for everyone). Customers of no listed location get latency routing.")
    health_check: HealthCheckSettings = Field(
        default_factory=HealthCheckSettings, alias="healthCheck",
        description="Route 53's per-region health checks; default HTTPS GET /healthz every 10 s, unhealthy "
                    "after 3 failures, from 3 checker regions.")
    failover_bound_seconds: int = Field(
        default=30, ge=10, le=300, alias="failoverBoundSeconds",
        description="Longest time allowed to detect a failed region on any path (DNS, accelerator); settings "
                    "that detect more slowly are refused; default 30.")
    price_class: str = Field(default="PriceClass_100", alias="priceClass",
                             description="CloudFront price class: PriceClass_100, PriceClass_200 or "
                                         "PriceClass_All; default PriceClass_100 (North America and Europe).")
    rate_limit: int = Field(default=2000, ge=10, le=2_000_000_000, alias="rateLimit",
                            description="Requests per client IP per 5 minutes CloudFront's web ACL allows before it "
                                        "blocks (WAF takes 10-2,000,000,000); default 2000.")
    cached_paths: list[str] = Field(
        default_factory=lambda: ["/images/*", "/static/*"], alias="cachedPaths", min_length=1,
        description="Paths served from the images buckets (origin group, cached for long); default /images/* and "
                    "/static/* (the build publishes JS/CSS under static/).")
    dynamic_paths: list[str] = Field(
        default_factory=lambda: ["/api/*", "/checkout*"], alias="dynamicPaths",
        description="Paths never cached, all methods, forwarded whole to the nearest healthy region (the default "
                    "behaviour, the storefront pages, is the same); default /api/* and /checkout*.")
    accelerator: AcceleratorSettings = Field(
        default_factory=AcceleratorSettings,
        description="Global Accelerator for the checkout name; default every region at 100.")
    cloudfront_certificate_arn: str | None = Field(
        default=None, alias="cloudFrontCertificateArn",
        pattern=r"^arn:aws[\w-]*:acm:us-east-1:\d{12}:certificate/[\w-]+$",
        description="A certificate you bring for CloudFront (in us-east-1, covering the storefront name); default "
                    "none: the program requests one and validates it in the zone.")
    log_retention_days: AuditRetentionDays = Field(
        default=365, alias="logRetentionDays",
        description="Days DNS query logs and web ACL logs are kept; default 365, at least 365 (PCI DSS 10.5.1).")

    @field_validator("domain")
    @classmethod
    def _domain(cls, v: str) -> str:
        if not _DOMAIN.match(v):
            raise ValueError(f"{v!r} is not a domain name: lowercase labels of letters, digits and hyphens "
                             f"separated by dots, e.g. securecart.example")
        return v

    @field_validator("price_class")
    @classmethod
    def _price_class(cls, v: str) -> str:
        if v not in ("PriceClass_100", "PriceClass_200", "PriceClass_All"):
            raise ValueError(f"{v!r} is not a CloudFront price class: use PriceClass_100, PriceClass_200 or "
                             f"PriceClass_All")
        return v

    @field_validator("cached_paths", "dynamic_paths")
    @classmethod
    def _paths(cls, v: list[str]) -> list[str]:
        for path in v:
            if not re.fullmatch(r"/[A-Za-z0-9_\-.*$/~\"'@:+&]{0,254}", path):
                raise ValueError(f"{path!r} is not a CloudFront path pattern: start with '/', e.g. /images/*")
        return v

    @model_validator(mode="after")
    def _consistent(self) -> "EdgeSettings":
        problems = [f"{key}: {name!r} is not within {self.domain}: use a name ending in .{self.domain}"
                    for key, name in (("storefront", self.storefront), ("api", self.api),
                                      ("checkout", self.checkout), ("partners", self.partners))
                    if name is not None and not (_DOMAIN.match(name) and name.endswith(f".{self.domain}"))]
        names = [self.storefront_name, self.api_name, self.checkout_name, self.partners_name]
        if len(set(names)) != len(names):
            problems.append(f"storefront, api, checkout, partners: the names must differ ({', '.join(names)})")
        locations = [g.location for g in self.geolocation]
        problems += [f"geolocation: {dup} is listed twice" for dup in sorted({x for x in locations
                                                                              if locations.count(x) > 1})]
        overlap = set(self.cached_paths) & set(self.dynamic_paths)
        if overlap:
            problems.append(f"cachedPaths, dynamicPaths: {', '.join(sorted(overlap))} is in both")
        figures = self.failover
        for path, detect in (("healthCheck", figures.dns_detect), ("accelerator", figures.accelerator_detect)):
            if detect > self.failover_bound_seconds:
                problems.append(f"{path}: a failed region is detected after {detect} s on the "
                                f"{'DNS' if path == 'healthCheck' else 'accelerator'} path, above "
                                f"failoverBoundSeconds ({self.failover_bound_seconds} s): "
                                + ("lower intervalSeconds or failureThreshold" if path == "healthCheck" else
                                   "the target groups' health checks are fixed; raise the bound"))
        if problems:
            raise ValueError("\n".join(problems))
        return self

    @property
    def storefront_name(self) -> str:
        return self.storefront or f"www.{self.domain}"

    @property
    def api_name(self) -> str:
        return self.api or f"api.{self.domain}"

    @property
    def nearest_api_name(self) -> str:
        """The latency set behind the API name's default geolocation record (a geolocation name cannot also
        hold latency records, so the set has a name of its own)."""
        return f"nearest.{self.api_name}"

    @property
    def checkout_name(self) -> str:
        return self.checkout or f"checkout.{self.domain}"

    @property
    def partners_name(self) -> str:
        return self.partners or f"partners.{self.domain}"

    def internal_name(self, service: str, region: str) -> str:
        """A service's name in a region behind the NLB (the partners' integrations, PrivateLink's private DNS):
        ``<service>.<region>.<domain>``."""
        return f"{service}.{region}.{self.domain}"

    def regional_names(self, region: str) -> list[str]:
        """What a region's load balancers and API answer to (its certificate's names): the API, checkout and
        partners names, and every internal service name of the region (one wildcard)."""
        return [self.api_name, self.checkout_name, self.partners_name, f"*.{region}.{self.domain}"]

    @property
    def failover(self) -> "FailoverFigures":
        return failover_figures(self)


class FailoverFigures(Model):
    """Worst-case seconds to detect a failed region and to move its customers, per path."""

    dns_detect: int = Field(alias="dnsDetectSeconds")
    dns_switch: int = Field(alias="dnsSwitchSeconds")
    accelerator_detect: int = Field(alias="acceleratorDetectSeconds")
    accelerator_switch: int = Field(alias="acceleratorSwitchSeconds")


def failover_figures(edge: EdgeSettings) -> FailoverFigures:
    """DNS: Route 53 marks a region unhealthy after ``failureThreshold`` failed checks ``intervalSeconds`` apart,
    then resolvers may hold the old answer for the alias's TTL (60 s, the load balancer's). Accelerator: for
    load-balancer endpoints Global Accelerator follows the target groups' health (its own health-check settings
    do not apply), so detection is the target groups' interval times unhealthy threshold, and clients hold nothing
    (the accelerator's addresses never change)."""
    dns = edge.health_check.interval_seconds * edge.health_check.failure_threshold
    accelerator = TARGET_HEALTH_INTERVAL * TARGET_UNHEALTHY_THRESHOLD
    return FailoverFigures(dnsDetectSeconds=dns, dnsSwitchSeconds=dns + ALIAS_TTL_SECONDS,
                           acceleratorDetectSeconds=accelerator, acceleratorSwitchSeconds=accelerator)
