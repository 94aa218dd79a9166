"""Test support shared by tests/, hack/ and bench/, in one place so that imports run one way:
tests -> hack, bench -> hack; hack imports neither (tests/unit/test_support_imports.py checks).

- templates: the template-render helper and the Go-template corpus (tests/gotemplate_cases/);
- conformance: `helm template` vs `steersman template` over tests/conformance/charts;
- chart_servers: real Helm repository, token and TLS servers on loopback;
- install: installing Steersman on the bench as a user would;
- proxy: a forward proxy on loopback;
- storage_samples: release records shaped like helm's.

The bench itself (apiserver, PostgreSQL, helm binaries) is hack/testenv.
"""
