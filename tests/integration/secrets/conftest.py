from tests.integration.succession.conftest import copy_vault, key, scratch, vault

__all__ = ["copy_vault", "key", "scratch", "vault"]
