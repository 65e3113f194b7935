"""trustgraph: a formal trust-graph analyzer for AWS IAM.

Load account exports, build the graph of who can obtain which role's credentials, and answer reachability questions
with an SMT encoding of the policy conditions. Every "yes" carries a witness request per hop; every "no" is a proof
under the stated zone of trust; "unknown" is reported as such.
"""

from __future__ import annotations

__version__ = "0.1.0"
