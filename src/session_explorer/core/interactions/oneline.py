"""An interaction in one line of text: tokens, latency, model, and the summary line
the merged timeline shows (plain strings; the panes style them)."""

from __future__ import annotations

from session_explorer.core.models import Interaction

#: Starts the one-line summary of an interaction in the merged timeline.
INTERACTION_RULE = "──"


def format_tokens(count: int | None) -> str:
    """``812``, ``45.1k``, ``3.2M``; ``-`` when unknown."""
    if count is None:
        return "-"
    if count < 1000:
        return str(count)
    if count < 1_000_000:
        return f"{count / 1000:.1f}k"
    return f"{count / 1_000_000:.1f}M"


def format_latency(duration_ms: float | None) -> str:
    """``340ms`` below a second, ``1.2s`` above, ``2m05s`` above a minute."""
    if duration_ms is None:
        return "-"
    if duration_ms < 1000:
        return f"{duration_ms:.0f}ms"
    seconds = duration_ms / 1000
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes}m{rest:02d}s"


def model_name(interaction: Interaction, *, provider: bool) -> str:
    """``provider/model`` (or the model alone), whichever parts are known."""
    parts = (interaction.provider, interaction.model) if provider else (interaction.model,)
    return "/".join(part for part in parts if part) or (interaction.provider or "")


def interaction_summary(interaction: Interaction) -> str:
    """``#3 openai/gpt-4o-mini · 1.2k/701 tok · 6.3s · ok · "Plan my next…"``: an
    interaction on one line of the merged timeline (searchable as it reads)."""
    usage = interaction.usage
    parts = [f"#{interaction.number} {model_name(interaction, provider=True) or '-'}"]
    if usage.input_tokens is not None or usage.output_tokens is not None:
        parts.append(f"{format_tokens(usage.input_tokens)}/{format_tokens(usage.output_tokens)} tok")
    if interaction.duration_ms is not None:
        parts.append(format_latency(interaction.duration_ms))
    parts.append(interaction.status)
    prompt = " ".join(interaction.last_user_text.split())
    if prompt:
        parts.append(f'"{prompt[:60]}…"' if len(prompt) > 60 else f'"{prompt}"')
    return " · ".join(parts)
