"""Where one LLM extractor sends its requests: model, server, key, output mode, limits and
price (an ``Endpoint``, built from a settings group by ``endpoint_from``), and the openai SDK
client for it (api.openai.com, any OpenAI-compatible server, or Azure OpenAI)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import openai

from receiptflow.llm.usage import FREE, Price

if TYPE_CHECKING:
    from receiptflow.settings import NemoSettings, OpenAISettings

PLACEHOLDER_KEY = "not-needed"  # the SDK insists on a key; local servers ignore it


@dataclass(frozen=True)
class Endpoint:
    name: str  # "openai" or "nemo": the method recorded on results
    model: str
    base_url: str | None
    api_key: str | None
    mode: str = "tools"  # an output mode (``receiptflow.llm.output_modes``)
    timeout_s: float = 60.0
    transport_retries: int = 3
    validation_retries: int = 2
    max_tokens: int = 4096
    retry_max_tokens: int = 0  # a truncated answer is asked again once with this; 0: never
    circuit_failures: int = 5  # transport failures in a row that open the circuit; 0: never
    circuit_cooldown_s: float = 60.0
    price: Price | None = FREE  # None: no known price, the cost is reported unknown
    max_in_flight: int = 16
    logprobs: bool = True  # ask for token logprobs (the trust model reads them when returned)
    # gpt-5*, o-series: max_completion_tokens instead of max_tokens, no temperature, no logprobs
    reasoning: bool = False
    # Azure OpenAI: the resource endpoint and api-version; ``model`` is the deployment name
    azure_endpoint: str | None = None
    api_version: str | None = None

    @property
    def where(self) -> str:
        """How errors name this endpoint."""
        host = self.azure_endpoint or self.base_url or "api.openai.com"
        return f"{self.name} ({self.model} at {host})"

    def client_options(self) -> dict[str, Any]:
        options: dict[str, Any] = {
            "api_key": self.api_key or PLACEHOLDER_KEY,
            "timeout": self.timeout_s,
            "max_retries": self.transport_retries,
        }
        if self.azure_endpoint:
            return options | {
                "azure_endpoint": self.azure_endpoint,
                "api_version": self.api_version,
            }
        return options | {"base_url": self.base_url}

    def sdk_client(
        self, *, asynchronous: bool = False, http_client: Any = None
    ) -> openai.OpenAI | openai.AsyncOpenAI:
        """The openai SDK client: AzureOpenAI (deployment URLs, api-version, api-key header)
        when an Azure endpoint is set, else OpenAI for api.openai.com or any compatible server;
        ``http_client``: the httpx client (``llm.transport``, which counts retries)."""
        options = self.client_options()
        if http_client is not None:
            options["http_client"] = http_client
        if self.azure_endpoint:
            azure = openai.AsyncAzureOpenAI if asynchronous else openai.AzureOpenAI
            return azure(**options)
        plain = openai.AsyncOpenAI if asynchronous else openai.OpenAI
        return plain(**options)


def endpoint_from(
    name: str,
    options: OpenAISettings | NemoSettings,
    *,
    mode: str,
    price: Price | None,
    max_in_flight: int,
    circuit_failures: int = 5,
    circuit_cooldown_s: float = 60.0,
    **extra: Any,
) -> Endpoint:
    """An Endpoint from a settings group (both LLM groups share these fields); ``extra``
    sets the openai-only ones (reasoning, Azure)."""
    return Endpoint(
        name=name,
        model=options.model,
        base_url=options.base_url,
        api_key=options.api_key.get_secret_value() if options.api_key else None,
        mode=mode,
        timeout_s=options.timeout_s,
        transport_retries=options.transport_retries,
        validation_retries=options.validation_retries,
        max_tokens=options.max_tokens,
        retry_max_tokens=(
            options.max_tokens * 2 if options.retry_max_tokens is None else options.retry_max_tokens
        ),
        circuit_failures=circuit_failures,
        circuit_cooldown_s=circuit_cooldown_s,
        price=price,
        max_in_flight=max_in_flight,
        logprobs=options.logprobs,
        **extra,
    )
