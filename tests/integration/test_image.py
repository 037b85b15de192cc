"""The image (Dockerfile, .dockerignore) checked against the project, no Docker."""

import fnmatch

from tests.integration.compose_file import (
    ROOT,
    copied_sources,
    dockerfile_stages,
    files_the_commands_need,
)

# --- the image --------------------------------------------------------------------------------


def test_the_image_is_built_in_stages_and_runs_as_a_user_of_its_own():
    stages = dockerfile_stages()
    users = [arguments for instruction, arguments in stages[-1] if instruction == "USER"]

    assert len(stages) >= 2
    assert users, "the final stage never leaves root"
    assert users[-1].split(":")[0] not in ("root", "0")


def test_the_image_holds_every_file_the_commands_load():
    copied = copied_sources(dockerfile_stages()[-1])
    missing = {
        path
        for path in files_the_commands_need()
        if "." not in copied and not any(path == c or path.startswith(c + "/") for c in copied)
    }

    assert not missing, f"the final stage does not COPY {missing}"


def test_the_build_context_keeps_every_file_the_dockerfile_copies():
    patterns = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith(("#", "!"))
    ]
    for source in set().union(*map(copied_sources, dockerfile_stages())):
        ignored = [p for p in patterns if fnmatch.fnmatch(source, p.removeprefix("**/"))]
        assert not ignored, f".dockerignore {ignored} leaves {source} out of the build"
