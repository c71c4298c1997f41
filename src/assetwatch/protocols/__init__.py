"""Pure device protocol codecs.

Each codec turns bytes into typed messages and messages into bytes, with no I/O, clock or
database access. Gateways host the codecs on sockets; ``to_observations`` in each codec maps
decoded messages onto the shared :class:`~assetwatch.model.observation.Observation` record.

Codecs: ``jt808`` (JT/T 808-2011/2013/2019).
"""
