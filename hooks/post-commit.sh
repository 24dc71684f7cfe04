#!/bin/sh
# tilgen-hook-marker v1
# Written by `tilgen hook install`; `tilgen hook uninstall` removes it and puts back the hook
# it replaced. It only starts tilgen in the background and always exits 0: a commit is never
# slowed down or disturbed by it. Set TILGEN_HOOK_SKIP=1 to skip it for one command.
tilgen_python='@PYTHON@'
tilgen_log='@LOG@'
tilgen_global=@GLOBAL@

# The repository's own git directory, found with shell built-ins only (hooks must be cheap).
tilgen_find_gitdir() {
    if [ -n "$GIT_COMMON_DIR" ]; then tilgen_gitdir=$GIT_COMMON_DIR; return 0
    elif [ -n "$GIT_DIR" ]; then tilgen_gitdir=$GIT_DIR
    elif [ -d .git ]; then tilgen_gitdir=.git
    elif [ -f .git ]; then read -r tilgen_gitdir <.git; tilgen_gitdir=${tilgen_gitdir#gitdir: }
    else tilgen_gitdir=$(git rev-parse --git-common-dir 2>/dev/null) || return 1
    fi
    if [ -f "$tilgen_gitdir/commondir" ]; then  # a linked worktree: hooks live in the main one
        read -r tilgen_common <"$tilgen_gitdir/commondir"
        case $tilgen_common in
            /*) tilgen_gitdir=$tilgen_common ;;
            *) tilgen_gitdir=$tilgen_gitdir/$tilgen_common ;;
        esac
    fi
}

# The hook that was here before tilgen still runs first; its result is its own business.
case $0 in */*) tilgen_here=${0%/*} ;; *) tilgen_here=. ;; esac
if [ -x "$tilgen_here/post-commit.pre-tilgen" ]; then
    "$tilgen_here/post-commit.pre-tilgen" "$@" || :
fi
# A global core.hooksPath hides the repository's own hooks: run its post-commit too.
if [ "$tilgen_global" = 1 ]; then
    if tilgen_find_gitdir && [ -x "$tilgen_gitdir/hooks/post-commit" ]; then
        "$tilgen_gitdir/hooks/post-commit" "$@" || :
    fi
fi
[ -n "$TILGEN_HOOK_SKIP" ] && exit 0

# git runs this hook at the top of the work tree.
tilgen_repo=$PWD
# Variables git exports for this commit (its index, its paths, its -c options) would make the
# background job read a different repository state than a fresh `tilgen` would.
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_COMMON_DIR GIT_OBJECT_DIRECTORY \
    GIT_ALTERNATE_OBJECT_DIRECTORIES GIT_NAMESPACE GIT_PREFIX GIT_EDITOR GIT_SEQUENCE_EDITOR \
    GIT_REFLOG_ACTION GIT_CEILING_DIRECTORIES GIT_DISCOVERY_ACROSS_FILESYSTEM \
    GIT_IMPLICIT_WORK_TREE GIT_INTERNAL_SUPER_PREFIX GIT_QUARANTINE_PATH GIT_SHALLOW_FILE \
    GIT_REPLACE_REF_BASE GIT_GRAFT_FILE GIT_NO_REPLACE_OBJECTS GIT_LITERAL_PATHSPECS \
    GIT_GLOB_PATHSPECS GIT_NOGLOB_PATHSPECS GIT_ICASE_PATHSPECS GIT_CONFIG \
    GIT_CONFIG_PARAMETERS GIT_CONFIG_COUNT GIT_AUTHOR_DATE GIT_COMMITTER_DATE

# The installing interpreter first (GUI clients have a bare PATH), then whatever PATH offers.
if [ -x "$tilgen_python" ]; then
    set -- "$tilgen_python" -m tilgen
elif command -v tilgen >/dev/null 2>&1; then
    set -- tilgen
elif command -v python3 >/dev/null 2>&1; then
    set -- python3 -m tilgen
else
    exit 0
fi
# Low priority, and started once git is done: the interpreter's start-up must not compete
# with the commit (or an editor) for the CPU. The job waits for more commits anyway.
if command -v nice >/dev/null 2>&1; then
    set -- nice -n 10 "$@"
fi
set -- /bin/sh -c 'sleep 0.5 2>/dev/null || sleep 1; exec "$@"' tilgen-hook "$@"
[ -d "${tilgen_log%/*}" ] || mkdir -p "${tilgen_log%/*}" 2>/dev/null
# `true`, not `:`: a failed redirection on a special built-in would end the script.
{ true >>"$tilgen_log"; } 2>/dev/null || tilgen_log=/dev/null

# Detached in its own session, no terminal, nothing inherited that git waits on.
if command -v setsid >/dev/null 2>&1; then
    setsid "$@" hook-run --repo "$tilgen_repo" </dev/null >>"$tilgen_log" 2>&1 &
else
    nohup "$@" hook-run --repo "$tilgen_repo" </dev/null >>"$tilgen_log" 2>&1 &
fi
exit 0
