"""The CrossGuard pack: `pulumi preview --policy-pack policies`. Only this file constructs the PolicyPack (it
starts a server and blocks); everything else imports the rule list from `securecart_rules`."""

from pulumi_policy import PolicyPack
from securecart_rules import PACK_ENFORCEMENT_LEVEL, PACK_NAME, POLICIES

PolicyPack(name=PACK_NAME, policies=list(POLICIES), enforcement_level=PACK_ENFORCEMENT_LEVEL)
