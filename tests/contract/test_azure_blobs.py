"""The blob store and URL signer contracts on the Azure Blob Storage adapters, against Azurite.

Signed URLs are also sent to Azurite over HTTP, which checks them as Azure Storage does:
account-key SAS, and user-delegation SAS whose keys are minted the way Azurite's own Get
User Delegation Key mints them (it derives each key from its fields with a fixed seed). A
directory SAS (prefix URLs) Azurite cannot check: its signature is checked here against the
string-to-sign Azure documents instead."""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from azure.core.credentials import AccessToken
from azure.core.exceptions import ClientAuthenticationError
from azure.storage.blob import BlobServiceClient, UserDelegationKey

from shared.errors import Forbidden, InvalidInput, NotFound, PreconditionFailed, Unavailable
from shared.platform._azure_blobs import AzureBlobStore, blob_service_client
from shared.platform._blob_sas_signer import BlobSasUrlSigner
from shared.platform.clock import ManualClock
from tests.contract.blobs_suite import AdvanceClock, BlobStoreContract
from tests.contract.emulators import AZURITE_ACCOUNT, AZURITE_KEY, HOST, azurite_connection_string, free_port
from tests.contract.emulators import azurite as start_azurite
from tests.contract.signer_suite import UrlSignerContract, query

ACCOUNT, ACCOUNT_KEY = AZURITE_ACCOUNT, AZURITE_KEY
AZURITE_KEY_SEED = b"azurite-user-delegation-signing-seed-v1"  # azurite/dist/src/blob/utils/constants.js


@pytest.fixture(scope="module")
def azurite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with start_azurite(tmp_path_factory.mktemp("azurite")) as connection:
        yield connection


@pytest.fixture(scope="module")
def service(azurite: str) -> BlobServiceClient:
    return blob_service_client(None, azurite, None)


def new_container(service: BlobServiceClient) -> str:
    name = f"az-{uuid.uuid4().hex[:12]}"
    service.create_container(name)
    return name


# --- the blob store --------------------------------------------------------------------------


class TestAzureBlobStore(BlobStoreContract):
    """The whole port contract, on Azurite; a container created for each test."""

    @pytest.fixture
    def container(self, service: BlobServiceClient) -> str:
        return new_container(service)

    @pytest.fixture
    def blobs(self, service: BlobServiceClient) -> AzureBlobStore:
        return AzureBlobStore(service)

    @pytest.fixture
    def advance_clock(self) -> AdvanceClock:
        return None  # Azurite keeps its own time


@pytest.fixture
def store(service: BlobServiceClient) -> AzureBlobStore:
    return AzureBlobStore(service)


def test_a_write_creates_its_missing_container_when_the_store_may_create_containers(
    service: BlobServiceClient,
) -> None:
    container = f"fresh-{uuid.uuid4().hex[:12]}"
    blobs = AzureBlobStore(service, create_containers=True)
    blobs.write(container, "a.txt", b"first")
    blobs.write(container, "b.txt", b"second")
    assert [info.name for info in blobs.list(container)] == ["a.txt", "b.txt"]


def test_a_missing_container_is_not_found_when_containers_are_provisioned(store: AzureBlobStore) -> None:
    container = f"absent-{uuid.uuid4().hex[:12]}"
    with pytest.raises(NotFound):
        store.write(container, "a.txt", b"x")
    with pytest.raises(NotFound):
        store.read_chunks(container, "a.txt")
    assert list(store.list(container)) == []
    assert store.delete(container, "a.txt") is False


def test_a_list_of_chunks_is_written_like_any_iterable(store: AzureBlobStore, service: BlobServiceClient) -> None:
    container = new_container(service)
    parts: list[Any] = [b"one,", bytearray(b"two,"), memoryview(b"three")]
    assert store.write(container, "parts.txt", parts).size == 13
    assert store.read_bytes(container, "parts.txt") == b"one,two,three"


def test_text_instead_of_bytes_is_invalid_input_and_writes_nothing(
    store: AzureBlobStore, service: BlobServiceClient
) -> None:
    container = new_container(service)
    with pytest.raises(InvalidInput):
        store.write(container, "notes.txt", io.StringIO("text, not bytes"))  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        store.write(container, "notes.txt", iter([b"bytes, then ", "text"]))  # type: ignore[arg-type]
    assert list(store.list(container)) == []


def test_a_blob_replaced_while_it_is_read_fails_instead_of_mixing_versions(
    store: AzureBlobStore, service: BlobServiceClient
) -> None:
    container = new_container(service)
    store.write(container, "video.bin", b"a" * (9 << 20))  # nine 1 MiB ranges
    chunks = store.read_chunks(container, "video.bin", chunk_size=1 << 20)
    assert next(chunks) == b"a" * (1 << 20)
    store.write(container, "video.bin", b"b" * (9 << 20))
    with pytest.raises(PreconditionFailed):
        for chunk in chunks:
            assert set(chunk) == {ord("a")}


def test_folder_entries_of_a_hierarchical_namespace_are_not_blobs(
    store: AzureBlobStore, service: BlobServiceClient
) -> None:
    container = new_container(service)
    # What an account with a hierarchical namespace lists for the folder of "course/a.txt".
    service.get_blob_client(container, "course").upload_blob(b"", metadata={"hdi_isfolder": "true"})
    store.write(container, "course/a.txt", b"x")
    assert [info.name for info in store.list(container)] == ["course/a.txt"]
    with pytest.raises(NotFound):
        store.info(container, "course")
    with pytest.raises(NotFound):
        store.read_chunks(container, "course")


def test_ping_succeeds_while_azurite_answers(store: AzureBlobStore) -> None:
    store.ping()


def test_ping_is_unavailable_when_the_account_cannot_be_reached() -> None:
    client = blob_service_client(None, azurite_connection_string(free_port()), None, retry_total=0)
    with pytest.raises(Unavailable):
        AzureBlobStore(client).ping()


class StaticToken:
    """A TokenCredential that is never asked for a token in these tests."""

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        raise AssertionError("no request is made")


def test_the_connection_string_wins_else_the_account_url_is_used_with_the_apps_credential(azurite: str) -> None:
    credential = StaticToken()
    emulator = blob_service_client("https://lmsmedia.blob.core.windows.net", azurite, credential)
    assert (emulator.account_name, emulator.url.startswith(f"http://{HOST}:")) == (ACCOUNT, True)
    account = blob_service_client("https://lmsmedia.blob.core.windows.net", None, credential)
    assert (account.account_name, account.credential) == ("lmsmedia", credential)


@pytest.mark.parametrize(
    ("url", "credential"), [(None, None), ("", StaticToken()), ("https://lmsmedia.blob.core.windows.net", None)]
)
def test_a_client_needs_a_connection_string_or_an_account_url_with_a_credential(
    url: str | None, credential: StaticToken | None
) -> None:
    with pytest.raises(ValueError, match="Blob Storage"):
        blob_service_client(url, None, credential)


# --- the URL signer ----------------------------------------------------------------------------

AZURITE_HAS_NO_DIRECTORY_SAS = (
    "Azurite 3.37 checks only container, blob and snapshot SAS (BlobSASAuthenticator: sr=c|b|bs) and has no "
    "hierarchical namespace, so it refuses a directory SAS (sr=d); "
    "test_a_prefix_url_is_the_directory_sas_azure_documents checks its signature instead"
)


class SasContract(UrlSignerContract):
    """The suite as any Blob SAS signer runs it (fixtures and the one known gap)."""

    @pytest.fixture
    def advance_clock(self, clock: ManualClock) -> Callable[[float], None]:
        return clock.advance


class TestAccountKeySigner(SasContract):
    """The whole port contract on the account-key SAS of the Azurite client."""

    @pytest.fixture
    def signer(self, service: BlobServiceClient, clock: ManualClock) -> BlobSasUrlSigner:
        return BlobSasUrlSigner(service, hierarchical_namespace=True, clock=clock)


class KeyIssuer:
    """Stands where a BlobServiceClient on a managed identity stands for the signer: it issues
    user-delegation keys, minted as Azurite's Get User Delegation Key mints them, so Azurite
    accepts the SAS they sign. ``refuse`` makes it answer as Entra ID does to a wrong identity."""

    def __init__(self, url: str, account: str = ACCOUNT) -> None:
        self.url = url
        self.account_name = account
        self.credential = StaticToken()
        self.issued: list[UserDelegationKey] = []
        self.refuse = False

    def get_user_delegation_key(self, key_start_time: datetime, key_expiry_time: datetime) -> UserDelegationKey:
        if self.refuse:
            raise ClientAuthenticationError("the identity may not ask for delegation keys")
        key = UserDelegationKey()  # type: ignore[no-untyped-call]
        key.signed_oid, key.signed_tid = str(uuid.uuid4()), str(uuid.uuid4())
        key.signed_start = key_start_time.strftime("%Y-%m-%dT%H:%M:%SZ")
        key.signed_expiry = key_expiry_time.strftime("%Y-%m-%dT%H:%M:%SZ")
        key.signed_service, key.signed_version = "b", "2026-10-06"
        fields = [key.signed_oid, key.signed_tid, key.signed_start, key.signed_expiry, "b", key.signed_version]
        key.value = base64.b64encode(hmac.digest(AZURITE_KEY_SEED, "\n".join(fields).encode(), "sha256")).decode()
        self.issued.append(key)
        return key


@pytest.fixture
def issuer(service: BlobServiceClient) -> KeyIssuer:
    return KeyIssuer(service.url)


def delegation_signer(issuer: KeyIssuer, clock: ManualClock, **options: Any) -> BlobSasUrlSigner:
    return BlobSasUrlSigner(issuer, clock=clock, **options)  # type: ignore[arg-type]


class TestUserDelegationSigner(SasContract):
    """The whole port contract again, on user-delegation keys."""

    @pytest.fixture
    def signer(self, issuer: KeyIssuer, clock: ManualClock) -> BlobSasUrlSigner:
        return delegation_signer(issuer, clock, hierarchical_namespace=True)


def test_a_delegation_url_names_its_key_and_one_key_signs_many_urls(issuer: KeyIssuer, clock: ManualClock) -> None:
    signer = delegation_signer(issuer, clock)
    urls = [signer.sign("media", f"lesson-{i}.mp4", ttl_seconds=600) for i in range(20)]
    [key] = issuer.issued  # one round trip to the account for all twenty
    params = query(urls[-1])
    assert (params["skoid"], params["sktid"], params["sks"]) == (key.signed_oid, key.signed_tid, "b")
    assert (params["skt"], params["ske"], params["skv"]) == (key.signed_start, key.signed_expiry, key.signed_version)


def test_a_new_key_is_asked_for_before_a_url_could_outlive_the_current_one(
    issuer: KeyIssuer, clock: ManualClock
) -> None:
    signer = delegation_signer(issuer, clock, key_lifetime=timedelta(hours=1))
    older = query(signer.sign("media", "a.mp4", ttl_seconds=3000))
    clock.advance(46 * 60)  # 14 minutes of key left: not enough for 10 more and the margin
    newer = query(signer.sign("media", "b.mp4", ttl_seconds=600))
    assert len(issuer.issued) == 2
    assert newer["ske"] > older["ske"]
    signer.verify("media", "a.mp4", older)  # URLs of the previous key stay good until they expire
    signer.verify("media", "b.mp4", newer)


def test_a_url_may_not_outlive_the_key_lifetime(issuer: KeyIssuer, clock: ManualClock) -> None:
    signer = delegation_signer(issuer, clock, key_lifetime=timedelta(hours=1))
    with pytest.raises(InvalidInput):
        signer.sign("media", "a.mp4", ttl_seconds=3600)


def test_a_url_signed_by_another_apps_key_is_refused(issuer: KeyIssuer, clock: ManualClock) -> None:
    other = delegation_signer(KeyIssuer(issuer.url), clock).sign("media", "a.mp4", ttl_seconds=600)
    with pytest.raises(Forbidden):
        delegation_signer(issuer, clock).verify("media", "a.mp4", query(other))


def test_a_refused_key_request_makes_signing_unavailable(issuer: KeyIssuer, clock: ManualClock) -> None:
    issuer.refuse = True
    with pytest.raises(Unavailable):
        delegation_signer(issuer, clock).sign("media", "a.mp4", ttl_seconds=600)


def test_urls_point_at_the_public_base_url_and_still_verify(issuer: KeyIssuer, clock: ManualClock) -> None:
    signer = delegation_signer(issuer, clock, public_base_url="https://cdn.example.com/files/")
    url = signer.sign("media", "courses/c 1/a.mp4", ttl_seconds=600)
    assert url.startswith("https://cdn.example.com/files/media/courses/c%201/a.mp4?")
    signer.verify("media", "courses/c 1/a.mp4", query(url))


def test_upload_urls_go_straight_to_storage_not_through_the_cdn(issuer: KeyIssuer, clock: ManualClock) -> None:
    signer = delegation_signer(issuer, clock, public_base_url="https://cdn.example.com/files/")
    url = signer.sign("uploads", "t1/lesson/u1/clip.mp4", ttl_seconds=600, permission="w")
    assert not url.startswith("https://cdn.example.com") and "/uploads/t1/lesson/u1/clip.mp4?" in url
    signer.verify("uploads", "t1/lesson/u1/clip.mp4", query(url), "w")


def test_https_is_required_of_urls_to_an_https_account(clock: ManualClock) -> None:
    signer = delegation_signer(KeyIssuer("https://lmsmedia.blob.core.windows.net/", "lmsmedia"), clock)
    assert query(signer.sign("media", "a.mp4", ttl_seconds=600))["spr"] == "https"


def test_prefix_urls_need_a_hierarchical_namespace_and_a_folder(service: BlobServiceClient) -> None:
    with pytest.raises(Unavailable):
        BlobSasUrlSigner(service).sign("media", "courses/c-1/", ttl_seconds=600, prefix=True)
    with pytest.raises(InvalidInput):
        BlobSasUrlSigner(service, hierarchical_namespace=True).sign("media", "courses/c-", ttl_seconds=60, prefix=True)


def documented_signature(params: dict[str, str], resource: str, key: str) -> str:
    """The SAS signature as Azure's "Create a service SAS" / "Create a user delegation SAS"
    pages define its string-to-sign for version 2026-04-06 and later (no optional fields set)."""
    head = [params["sp"], "", params["se"], f"/blob/{ACCOUNT}/{resource}"]
    if "skoid" in params:
        keyed = [params[k] for k in ("skoid", "sktid", "skt", "ske", "sks", "skv")] + [""] * 5
        tail = ["", params.get("spr", ""), params["sv"], params["sr"], "", "", "", ""]
    else:
        keyed = [""]  # signedIdentifier
        tail = ["", params.get("spr", ""), params["sv"], params["sr"], "", ""]
    message = "\n".join([*head, *keyed, *tail, "", "", "", "", ""])
    return base64.b64encode(hmac.digest(base64.b64decode(key), message.encode(), hashlib.sha256)).decode()


def test_a_prefix_url_is_the_directory_sas_azure_documents(
    service: BlobServiceClient, issuer: KeyIssuer, clock: ManualClock
) -> None:
    for signer in (
        BlobSasUrlSigner(service, hierarchical_namespace=True, clock=clock),
        delegation_signer(issuer, clock, hierarchical_namespace=True),
    ):
        url = signer.sign("media", "courses/c-1/", ttl_seconds=600, prefix=True)
        params = query(url)
        key = str(issuer.issued[-1].value) if "skoid" in params else ACCOUNT_KEY
        assert (params["sr"], params["sdd"], urlsplit(url).path) == ("d", "2", f"/{ACCOUNT}/media/courses/c-1/")
        assert params["sig"] == documented_signature(params, "media/courses/c-1", key)
        blob = query(signer.sign("media", "courses/c-1/a.mp4", ttl_seconds=600))
        assert blob["sig"] == documented_signature(blob, "media/courses/c-1/a.mp4", key)


# --- signed URLs sent to Azurite ------------------------------------------------------------------


@pytest.fixture(params=["account-key", "user-delegation"])
def live_signer(request: pytest.FixtureRequest, service: BlobServiceClient, clock: ManualClock) -> BlobSasUrlSigner:
    if request.param == "account-key":
        return BlobSasUrlSigner(service, hierarchical_namespace=True, clock=clock)
    return delegation_signer(KeyIssuer(service.url), clock, hierarchical_namespace=True)


NAME = "courses/c 1/ünï.mp4"


def test_azurite_serves_a_blob_to_its_read_url_and_nothing_else(
    live_signer: BlobSasUrlSigner, store: AzureBlobStore, service: BlobServiceClient
) -> None:
    container = new_container(service)
    store.write(container, NAME, b"video bytes")
    url = live_signer.sign(container, NAME, ttl_seconds=600)
    response = httpx.get(url)
    assert (response.status_code, response.content) == (200, b"video bytes")
    assert httpx.put(url, content=b"x", headers={"x-ms-blob-type": "BlockBlob"}).status_code == 403
    other = url.replace("/%C3%BCn%C3%AF.mp4?", "/other.mp4?")
    store.write(container, "courses/c 1/other.mp4", b"other")
    assert httpx.get(other).status_code == 403


def test_azurite_stores_a_blob_put_to_its_write_url_and_serves_it_nothing(
    live_signer: BlobSasUrlSigner, store: AzureBlobStore, service: BlobServiceClient
) -> None:
    container = new_container(service)
    url = live_signer.sign(container, NAME, ttl_seconds=600, permission="w")
    assert httpx.put(url, content=b"uploaded", headers={"x-ms-blob-type": "BlockBlob"}).status_code == 201
    assert store.read_bytes(container, NAME) == b"uploaded"
    assert httpx.get(url).status_code == 403
    # One write: the same URL cannot swap the file once it is there (and perhaps validated).
    assert httpx.put(url, content=b"swapped", headers={"x-ms-blob-type": "BlockBlob"}).status_code in (403, 409)
    assert store.read_bytes(container, NAME) == b"uploaded"


@pytest.mark.parametrize(
    "tamper",
    [
        lambda p: {**p, "sig": p["sig"][::-1]},
        lambda p: {**p, "sp": "rw"},
        lambda p: {**p, "se": "2099-01-01T00:00:00Z"},
        lambda p: {k: v for k, v in p.items() if k != "sig"},
    ],
    ids=["signature", "permission", "expiry", "no-signature"],
)
def test_azurite_refuses_a_tampered_url(
    live_signer: BlobSasUrlSigner,
    store: AzureBlobStore,
    service: BlobServiceClient,
    tamper: Callable[[dict[str, str]], dict[str, str]],
) -> None:
    container = new_container(service)
    store.write(container, NAME, b"video bytes")
    url = live_signer.sign(container, NAME, ttl_seconds=600)
    assert httpx.get(url.split("?")[0], params=tamper(query(url))).status_code in (401, 403)


def test_azurite_and_verify_refuse_an_expired_url(store: AzureBlobStore, service: BlobServiceClient) -> None:
    container = new_container(service)
    store.write(container, NAME, b"video bytes")
    past = ManualClock(datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1))
    url = BlobSasUrlSigner(service, clock=past).sign(container, NAME, ttl_seconds=60)
    assert httpx.get(url).status_code == 403
    with pytest.raises(Forbidden):
        BlobSasUrlSigner(service).verify(container, NAME, query(url))


@pytest.mark.xfail(strict=True, reason=AZURITE_HAS_NO_DIRECTORY_SAS)
def test_azurite_serves_a_blob_below_a_prefix_url(
    live_signer: BlobSasUrlSigner, store: AzureBlobStore, service: BlobServiceClient
) -> None:
    container = new_container(service)
    store.write(container, "courses/c-1/a.mp4", b"segment")
    url = live_signer.sign(container, "courses/c-1/", ttl_seconds=600, prefix=True)
    base, _, token = url.partition("?")
    assert httpx.get(f"{base}a.mp4?{token}").status_code == 200
