"""Every channel example in docs/notifications.md is valid configuration."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from assetwatch.notify.channels import CHANNEL_KINDS, validate_config

DOC = Path(__file__).parents[2] / "docs" / "notifications.md"
YAML_BLOCK = re.compile(r"```yaml\n(.*?)```", re.DOTALL)


def test_every_yaml_example_validates():
    examples = [yaml.safe_load(block) for block in YAML_BLOCK.findall(DOC.read_text("utf-8"))]
    assert len(examples) >= 7
    for example in examples:
        validate_config(example["kind"], example["config"])
    assert {e["kind"] for e in examples} == set(CHANNEL_KINDS) - {"inapp"}


JSON_BLOCK = re.compile(r"```json\n(.*?)```", re.DOTALL)


def test_the_contact_subscription_and_policy_examples_validate():
    import json

    from assetwatch.notify.models import ContactIn, EscalationPolicyIn, SubscriptionIn

    blocks = [json.loads(b) for b in JSON_BLOCK.findall(DOC.read_text("utf-8"))]
    contact, subscription, policy = blocks[:3]
    ContactIn.model_validate(contact)
    SubscriptionIn.model_validate(subscription)
    EscalationPolicyIn.model_validate(policy)
