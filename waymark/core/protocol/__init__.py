"""The node-to-node exchange protocol, pure Python (no Django): keys, message schemas, envelopes
(JWS in JWE), signed receipts and the signed federation registry. See docs/protocol.md.

Modules: ``keys`` (NodeKeys), ``messages`` (Header, MessageType, bodies, categories_used),
``envelope`` (seal / open_envelope), ``receipts`` (build_receipt / verify_receipt), ``registry``
(Registry, sign_registry / load_registry), ``reasons`` (ReasonCode, EnvelopeRefused), ``vocab``
(the wire vocabularies), ``testing`` (a fictional federation for tests and benchmarks).
"""
