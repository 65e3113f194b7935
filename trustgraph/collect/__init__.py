"""Live collection: ``trustgraph collect`` writes the exports the loader reads, for one account or an organization.

A rim package: it talks to AWS with boto3 and writes JSON files; it imports nothing of the analysis, so the folder it
writes is loaded by ``trustgraph scan OUT`` exactly like hand-made exports. Modules:

* :mod:`~trustgraph.collect.session`: the caller's boto3 session, adaptive retries, role assumption, error codes;
* :mod:`~trustgraph.collect.organization`: the AWS Organizations walk (accounts, OU paths, SCPs and RCPs);
* :mod:`~trustgraph.collect.account`: one account's authorization details and identity providers;
* :mod:`~trustgraph.collect.output`: the output folder (atomic writes, one folder per account) and its layout;
* :mod:`~trustgraph.collect.manifest`: ``manifest.json`` (tool, time, caller, per-account status and files);
* :mod:`~trustgraph.collect.progress`: the progress bar on a terminal;
* :mod:`~trustgraph.collect.run`: the plan, bounded concurrency, resumption and the summary.

boto3 is an optional dependency (``pip install 'trustgraph[collect]'``); it is imported only when a collection runs.
"""

from __future__ import annotations
