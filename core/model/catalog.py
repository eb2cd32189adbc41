"""Equipment catalog: bundled ASIC and GPU server models (with sources), plus a project's own."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache

from core.model.project import AsicModel, GpuServerModel, Project
from core.resources import resource_path


@dataclass(frozen=True)
class Catalog:
    asics: dict[str, AsicModel]
    gpu_servers: dict[str, GpuServerModel]
    asics_as_of: str
    gpu_servers_as_of: str

    def with_project_models(self, project: Project) -> Catalog:
        """The bundled catalog with the project's own models added (a project model wins)."""
        if not project.custom_asics and not project.custom_gpu_servers:
            return self
        asics = dict(self.asics) | {m.id: m for m in project.custom_asics}
        gpus = dict(self.gpu_servers) | {m.id: m for m in project.custom_gpu_servers}
        return Catalog(asics, gpus, self.asics_as_of, self.gpu_servers_as_of)


@lru_cache(maxsize=1)
def bundled_catalog() -> Catalog:
    asic_doc = json.loads(resource_path("catalog", "asics.json").read_text(encoding="utf-8"))
    gpu_doc = json.loads(resource_path("catalog", "gpu_servers.json").read_text(encoding="utf-8"))
    asics = {m["id"]: AsicModel.model_validate(m) for m in asic_doc["models"]}
    gpus = {m["id"]: GpuServerModel.model_validate(m) for m in gpu_doc["models"]}
    return Catalog(asics, gpus, asic_doc["as_of"], gpu_doc["as_of"])


def catalog_for(project: Project) -> Catalog:
    return bundled_catalog().with_project_models(project)


MODEL_FIELDS = {"asic": "asic_model", "gpu": "gpu_server_model"}  # a block's link to a model


def model_users(project: Project, kind: str, model_id: str) -> list[str]:
    """ "Strategy / block" of every block that runs on model ``model_id`` (``kind``: "asic" or
    "gpu")."""
    link = MODEL_FIELDS[kind]
    return [
        f"{s.name} / {b.name}"
        for s in project.strategies
        for b in s.blocks
        if getattr(b, link, None) == model_id
    ]


def relinked_blocks(data: dict, kind: str, old: str, new: str) -> dict:
    """Project JSON ``data`` with every block that ran on model ``old`` running on ``new``
    (a model's id changed in the catalog editor)."""
    link = MODEL_FIELDS[kind]
    for s in data.get("strategies", []):
        for b in s.get("blocks", []):
            if b.get(link) == old:
                b[link] = new
    return data
