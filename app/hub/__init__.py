"""The model catalog and downloads.

Rule: the only package that imports huggingface_hub; imports only the edges' errors.
"""

import os

# huggingface_hub reads these once, when first imported: no telemetry (nor the extra user-agent
# details it adds), no update checks. A download makes only the file's own requests (see the README,
# "What goes over the network"). A value the user set stays.
HUB_QUIET_ENV = {"HF_HUB_DISABLE_TELEMETRY": "1", "HF_HUB_DISABLE_UPDATE_CHECK": "1"}
for _name, _value in HUB_QUIET_ENV.items():
    os.environ.setdefault(_name, _value)
