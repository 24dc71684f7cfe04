#!/bin/sh
# tilgen-hook-marker v1 dispatch
# core.hooksPath points every repository at this directory (set by `tilgen hook install
# --global`), which hides each repository's own hooks: run the repository's hook of this name.
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

tilgen_find_gitdir || exit 0
tilgen_hook="$tilgen_gitdir/hooks/${0##*/}"
[ -x "$tilgen_hook" ] || exit 0
exec "$tilgen_hook" "$@"
