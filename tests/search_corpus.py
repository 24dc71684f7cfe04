"""Fifty daily TIL notes in Korean and twenty queries written for them (search quality).

Each note is (id, repo, date, topic, keywords, points); each query names the id of the note
it looks for. Queries mix Korean terms, English terms, identifiers and paraphrases.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

NOTES = [
    ("retry", "api", "2026-10-01", "지수 백오프 재시도", ["재시도", "백오프"],
     ["`tenacity`의 `wait_exponential`로 실패한 요청을 점점 긴 간격으로 다시 보냅니다.",
      "재시도 횟수를 `stop_after_attempt(3)`으로 제한하여 장애가 길어질 때 부하를 줄입니다."]),
    ("pool", "api", "2026-10-02", "데이터베이스 연결 풀", ["연결 풀", "데이터베이스"],
     ["`create_engine`의 `pool_size`와 `max_overflow`로 동시에 열리는 연결 수를 제한합니다.",
      "`pool_pre_ping=True`는 끊어진 연결을 쿼리 전에 확인하여 오류를 막습니다."]),
    ("pydantic", "api", "2026-10-03", "pydantic 필드 검증", ["입력 검증", "모델"],
     ["`field_validator`는 한 필드의 값을 모델이 만들어지기 전에 검사합니다.",
      "`model_validate`에 `context`를 넘기면 검증 규칙이 날짜 같은 외부 값을 읽을 수 있습니다."]),
    ("asyncio", "api", "2026-10-05", "asyncio 동시 실행", ["비동기", "동시성"],
     ["`asyncio.gather`는 여러 코루틴을 함께 기다리고 결과를 순서대로 돌려줍니다.",
      "`asyncio.Semaphore`로 동시에 실행되는 요청 수를 제한합니다."]),
    ("jwt", "api", "2026-10-06", "JWT 토큰 만료 처리", ["인증", "토큰"],
     ["`jwt.decode`는 `exp` 클레임이 지나면 `ExpiredSignatureError`를 발생시킵니다.",
      "리프레시 토큰은 짧게 사는 액세스 토큰을 다시 발급하는 데만 사용합니다."]),
    ("migration", "api", "2026-10-07", "Alembic 마이그레이션", ["스키마 변경", "마이그레이션"],
     ["`alembic revision --autogenerate`는 모델과 데이터베이스의 차이로 마이그레이션을 만듭니다.",
      "컬럼 이름 변경은 자동 생성이 삭제와 추가로 읽으므로 `op.alter_column`으로 직접 씁니다."]),
    ("logging", "api", "2026-10-08", "구조화된 로그", ["로그", "관측성"],
     ["`structlog`는 로그를 키와 값의 JSON으로 남겨 검색과 집계를 쉽게 합니다.",
      "요청마다 `request_id`를 묶어 두면 한 요청의 로그를 끝까지 따라갈 수 있습니다."]),
    ("cache", "api", "2026-10-09", "캐시 무효화 전략", ["캐시", "무효화"],
     ["쓰기 뒤에 캐시 키를 지우는 방식은 오래된 값이 남는 시간을 줄입니다.",
      "`functools.lru_cache`는 프로세스 안에서만 유효하므로 여러 워커 사이에는 `Redis`를 씁니다."]),
    ("pagination", "api", "2026-10-12", "커서 기반 페이지네이션", ["페이지네이션", "커서"],
     ["오프셋 대신 마지막 행의 `id`를 커서로 넘기면 깊은 페이지도 빠르게 읽습니다.",
      "커서는 `base64`로 인코딩하여 클라이언트가 내부 구조에 기대지 않게 합니다."]),
    ("pytest_fixture", "api", "2026-10-13", "pytest 픽스처 범위", ["테스트", "픽스처"],
     ["`scope=\"session\"` 픽스처는 테스트 전체에서 한 번만 만들어져 느린 준비를 줄입니다.",
      "`tmp_path`는 테스트마다 새 디렉터리를 주어 파일 테스트가 서로 섞이지 않습니다."]),
    ("dataclass", "api", "2026-10-14", "데이터클래스 기본값", ["데이터클래스", "기본값"],
     ["`field(default_factory=list)`는 인스턴스마다 새 리스트를 만들어 공유 버그를 막습니다.",
      "`frozen=True` 데이터클래스는 값을 바꿀 수 없어 딕셔너리 키로 쓸 수 있습니다."]),
    ("typing", "api", "2026-10-15", "Protocol로 구조적 타입", ["타입 힌트", "프로토콜"],
     ["`typing.Protocol`은 상속 없이 메서드 모양만으로 타입을 맞춥니다.",
      "`runtime_checkable`을 붙이면 `isinstance`로 프로토콜을 검사할 수 있습니다."]),
    ("subprocess", "api", "2026-10-16", "subprocess 시간 제한", ["프로세스", "시간 제한"],
     ["`subprocess.run`에 `timeout`을 주면 멈춘 자식 프로세스 때문에 서버가 묶이지 않습니다.",
      "`capture_output=True`는 표준 출력과 표준 오류를 함께 받아 로그에 남깁니다."]),
    ("atomic", "api", "2026-10-19", "원자적 파일 쓰기", ["파일 쓰기", "원자성"],
     ["임시 파일에 쓰고 `os.replace`로 바꾸면 읽는 쪽은 반쯤 쓰인 파일을 보지 않습니다.",
      "`fsync`로 데이터를 디스크에 내린 뒤 이름을 바꾸어야 전원이 꺼져도 빈 파일이 남지 않습니다."]),
    ("ratelimit", "api", "2026-10-20", "토큰 버킷 속도 제한", ["속도 제한", "토큰 버킷"],
     ["토큰 버킷은 일정한 속도로 토큰을 채우고 요청마다 하나씩 꺼내 순간적인 폭주를 허용합니다.",
      "제한을 넘은 요청에는 `429` 상태와 `Retry-After` 헤더를 돌려줍니다."]),
    ("usememo", "web", "2026-10-01", "useMemo로 계산 줄이기", ["메모이제이션", "렌더링"],
     ["`useMemo`는 의존성 배열이 바뀔 때만 비싼 계산을 다시 합니다.",
      "객체를 의존성으로 넘기면 렌더링마다 새 객체가 되어 메모이제이션이 소용없습니다."]),
    ("useeffect", "web", "2026-10-02", "useEffect 정리 함수", ["이펙트", "구독 해제"],
     ["`useEffect`가 돌려주는 정리 함수는 컴포넌트가 사라질 때 구독을 해제합니다.",
      "`AbortController`로 끝나지 않은 `fetch`를 취소하여 사라진 컴포넌트의 상태 변경을 막습니다."]),
    ("a11y", "web", "2026-10-05", "버튼 접근성", ["접근성", "스크린 리더"],
     ["아이콘만 있는 버튼에는 `aria-label`을 붙여 스크린 리더가 목적을 읽게 합니다.",
      "`div`에 클릭 이벤트를 다는 대신 `button`을 쓰면 키보드 포커스가 저절로 됩니다."]),
    ("styled", "web", "2026-10-06", "styled-components 임시 속성", ["스타일", "임시 속성"],
     ["`$isExpanded`처럼 `$`로 시작하는 임시 속성은 DOM으로 전달되지 않습니다.",
      "펼침 상태는 부모가 가지고 임시 속성으로 내려 스타일과 상태를 분리합니다."]),
    ("debounce", "web", "2026-10-07", "검색 입력 디바운스", ["디바운스", "입력 처리"],
     ["입력이 멈춘 뒤 300밀리초가 지나야 요청을 보내는 디바운스로 서버 호출을 줄입니다.",
      "`setTimeout`을 정리하지 않으면 오래된 검색어의 결과가 늦게 도착해 화면을 덮습니다."]),
    ("zod", "web", "2026-10-08", "zod로 응답 검증", ["스키마", "런타임 검증"],
     ["`z.object`로 API 응답의 모양을 정의하고 `safeParse`로 잘못된 데이터를 걸러냅니다.",
      "`z.infer`는 스키마에서 TypeScript 타입을 만들어 타입과 검증이 어긋나지 않게 합니다."]),
    ("reactquery", "web", "2026-10-09", "React Query 캐시 시간", ["서버 상태", "캐시"],
     ["`staleTime` 동안은 캐시된 데이터를 신선하다고 보아 다시 요청하지 않습니다.",
      "`invalidateQueries`는 변경 뒤 관련 쿼리를 다시 불러오게 합니다."]),
    ("lazy", "web", "2026-10-12", "코드 분할과 지연 로딩", ["코드 분할", "지연 로딩"],
     ["`React.lazy`와 `Suspense`로 첫 화면에 필요 없는 컴포넌트를 나중에 불러옵니다.",
      "라우트 단위로 번들을 나누면 초기 자바스크립트 크기가 줄어 첫 화면이 빨라집니다."]),
    ("formik", "web", "2026-10-13", "폼 상태 관리", ["폼", "유효성 검사"],
     ["`react-hook-form`의 `register`는 비제어 입력을 써서 입력마다 다시 그리지 않습니다.",
      "오류 메시지는 `formState.errors`에서 읽어 필드 옆에 보여 줍니다."]),
    ("i18n", "web", "2026-10-14", "다국어 메시지", ["국제화", "번역"],
     ["`Intl.NumberFormat`은 지역에 맞는 숫자와 통화 형식을 만듭니다.",
      "번역 문자열에 변수를 끼울 때는 문자열 연결 대신 자리표시자를 씁니다."]),
    ("csp", "web", "2026-10-15", "콘텐츠 보안 정책", ["보안", "헤더"],
     ["`Content-Security-Policy` 헤더는 허용한 출처의 스크립트만 실행하게 하여 XSS를 막습니다.",
      "인라인 스크립트에는 `nonce`를 붙여 정책을 느슨하게 하지 않고 허용합니다."]),
    ("vitest", "web", "2026-10-16", "vitest 모킹", ["테스트", "모킹"],
     ["`vi.mock`은 모듈 전체를 가짜로 바꾸어 네트워크 없이 컴포넌트를 테스트합니다.",
      "`vi.useFakeTimers`로 타이머를 앞당겨 디바운스 동작을 빠르게 확인합니다."]),
    ("virtual", "web", "2026-10-19", "긴 목록 가상화", ["가상화", "성능"],
     ["`react-window`는 화면에 보이는 행만 그려 만 개의 행도 부드럽게 스크롤합니다.",
      "행 높이가 다르면 `VariableSizeList`에 높이를 알려 주어야 위치가 맞습니다."]),
    ("darkmode", "web", "2026-10-20", "다크 모드 색상 변수", ["테마", "색상"],
     ["CSS 변수로 색을 정의하고 `prefers-color-scheme`에 따라 값을 바꿉니다.",
      "사용자가 고른 테마는 `localStorage`에 저장하여 새로고침 뒤에도 유지합니다."]),
    ("errorboundary", "web", "2026-10-21", "에러 경계", ["오류 처리", "컴포넌트"],
     ["에러 경계는 자식 컴포넌트의 렌더링 오류를 잡아 전체 화면이 비지 않게 합니다.",
      "이벤트 핸들러의 오류는 에러 경계가 잡지 못하므로 `try`로 직접 처리합니다."]),
    ("dockerfile", "infra", "2026-10-01", "멀티 스테이지 빌드", ["도커", "이미지 크기"],
     ["멀티 스테이지 `Dockerfile`은 빌드 도구를 마지막 이미지에서 빼 크기를 줄입니다.",
      "의존성 설치를 소스 복사보다 먼저 두면 레이어 캐시가 오래 유지됩니다."]),
    ("probe", "infra", "2026-10-02", "준비 상태 검사", ["쿠버네티스", "헬스 체크"],
     ["`readinessProbe`가 실패한 파드에는 서비스가 트래픽을 보내지 않습니다.",
      "`livenessProbe`를 너무 짧게 잡으면 느리게 뜨는 앱이 계속 재시작됩니다."]),
    ("context", "infra", "2026-10-05", "Go context 취소", ["컨텍스트", "취소"],
     ["`context.WithTimeout`은 정해진 시간이 지나면 하위 작업에 취소를 알립니다.",
      "`ctx.Done()` 채널을 `select`로 기다려 고루틴이 새지 않게 합니다."]),
    ("goroutine", "infra", "2026-10-06", "errgroup으로 고루틴 묶기", ["고루틴", "오류 전파"],
     ["`errgroup.Group`은 여러 고루틴 중 첫 오류를 돌려주고 나머지를 취소합니다.",
      "`SetLimit`으로 동시에 도는 고루틴 수를 제한합니다."]),
    ("terraform", "infra", "2026-10-07", "Terraform 상태 잠금", ["테라폼", "상태 파일"],
     ["원격 상태 저장소의 잠금은 두 사람이 동시에 `apply`하여 상태가 깨지는 것을 막습니다.",
      "`terraform plan -out`으로 저장한 계획만 적용하여 검토한 변경만 반영합니다."]),
    ("helm", "infra", "2026-10-08", "Helm 값 덮어쓰기", ["헬름", "배포 설정"],
     ["환경마다 `values-prod.yaml`을 두고 `-f`로 겹쳐 기본값을 덮어씁니다.",
      "`helm template`으로 렌더링 결과를 먼저 확인하면 잘못된 매니페스트를 미리 찾습니다."]),
    ("prometheus", "infra", "2026-10-09", "Prometheus 히스토그램", ["메트릭", "지연 시간"],
     ["히스토그램 버킷으로 요청 지연 시간의 분포를 모으고 `histogram_quantile`로 백분위를 구합니다.",
      "레이블에 사용자 아이디를 넣으면 시계열 수가 폭발하므로 피합니다."]),
    ("gomod", "infra", "2026-10-12", "Go 모듈 버전 고정", ["의존성", "모듈"],
     ["`go.sum`은 내려받은 모듈의 해시를 기록하여 다른 내용이 섞이는 것을 막습니다.",
      "`replace` 지시어로 아직 공개되지 않은 로컬 모듈을 임시로 씁니다."]),
    ("ci_cache", "infra", "2026-10-13", "CI 의존성 캐시", ["지속 통합", "캐시"],
     ["잠금 파일의 해시를 캐시 키로 쓰면 의존성이 바뀔 때만 새로 설치합니다.",
      "캐시가 없을 때를 위한 복원 키를 두어 비슷한 캐시라도 다시 씁니다."]),
    ("tls", "infra", "2026-10-14", "인증서 자동 갱신", ["인증서", "보안"],
     ["`cert-manager`는 만료 30일 전에 인증서를 자동으로 갱신합니다.",
      "갱신 실패를 알리는 경보를 두어 만료로 서비스가 멈추는 일을 막습니다."]),
    ("sigterm", "infra", "2026-10-15", "우아한 종료", ["종료 처리", "시그널"],
     ["`SIGTERM`을 받으면 새 요청을 받지 않고 진행 중인 요청을 끝낸 뒤 종료합니다.",
      "`http.Server.Shutdown`에 시간 제한이 있는 컨텍스트를 넘겨 종료가 무한히 걸리지 않게 합니다."]),
    ("backup", "infra", "2026-10-16", "데이터베이스 백업 복원 시험", ["백업", "복원"],
     ["백업은 주기적으로 복원해 보아야 실제로 쓸 수 있는지 알 수 있습니다.",
      "`pg_dump`의 사용자 지정 형식은 `pg_restore`로 테이블 하나만 골라 복원할 수 있습니다."]),
    ("borrow", "cli", "2026-10-01", "러스트 빌림 검사", ["소유권", "빌림"],
     ["가변 참조는 한 번에 하나만 허용되어 데이터 경쟁이 컴파일 단계에서 막힙니다.",
      "`clone` 대신 참조를 넘기면 불필요한 복사를 피합니다."]),
    ("anyhow", "cli", "2026-10-02", "anyhow 오류 문맥", ["오류 처리", "문맥"],
     ["`anyhow::Context`의 `with_context`로 오류에 어떤 파일을 읽다 실패했는지 붙입니다.",
      "라이브러리는 `thiserror`로 오류 타입을 정의하고 실행 파일은 `anyhow`로 모읍니다."]),
    ("clap", "cli", "2026-10-05", "clap 인자 파싱", ["명령행", "인자"],
     ["`#[derive(Parser)]`로 구조체 필드가 곧 명령행 옵션이 됩니다.",
      "`value_enum`으로 허용된 값만 받아 잘못된 입력을 파싱 단계에서 거절합니다."]),
    ("serde", "cli", "2026-10-06", "serde 기본값과 이름 바꾸기", ["직렬화", "설정 파일"],
     ["`#[serde(default)]`는 설정 파일에 없는 필드를 기본값으로 채웁니다.",
      "`rename_all = \"kebab-case\"`로 설정 키의 표기를 한 번에 맞춥니다."]),
    ("iterator", "cli", "2026-10-07", "반복자 어댑터", ["반복자", "지연 평가"],
     ["`filter`와 `map`을 이은 반복자는 `collect`를 부를 때까지 실행되지 않습니다.",
      "`take_while`은 조건이 처음 거짓이 되는 곳에서 멈추어 불필요한 계산을 줄입니다."]),
    ("gitdiff", "cli", "2026-10-08", "git diff 옵션", ["깃", "변경 비교"],
     ["`git diff --name-status`는 파일마다 추가, 수정, 삭제 여부만 보여 줍니다.",
      "`--find-renames`를 주면 이름이 바뀐 파일을 삭제와 추가가 아닌 이동으로 봅니다."]),
    ("rebase", "cli", "2026-10-09", "대화형 리베이스", ["깃", "커밋 정리"],
     ["`git rebase -i`의 `fixup`은 커밋을 앞 커밋에 합치고 메시지는 버립니다.",
      "이미 공유한 브랜치를 리베이스하면 다른 사람의 기록과 어긋나므로 피합니다."]),
    ("unicode", "cli", "2026-10-12", "유니코드 문자열 너비", ["유니코드", "터미널 출력"],
     ["한글은 터미널에서 두 칸을 차지하므로 표를 맞출 때 글자 수 대신 표시 너비를 셉니다.",
      "`unicode-width`의 `width`로 문자열의 표시 너비를 구합니다."]),
]

QUERIES = [
    ("재시도 간격을 점점 늘리기", "retry"),
    ("connection pool", "pool"),
    ("field_validator", "pydantic"),
    ("코루틴 여러 개를 동시에 기다리기", "asyncio"),
    ("ExpiredSignatureError", "jwt"),
    ("캐시 무효화", "cache"),
    ("깊은 페이지를 빠르게 읽는 방법", "pagination"),
    ("반쯤 쓰인 파일", "atomic"),
    ("429 Retry-After", "ratelimit"),
    ("컴포넌트가 사라질 때 구독 해제", "useeffect"),
    ("스크린 리더 aria-label", "a11y"),
    ("$isExpanded 임시 속성", "styled"),
    ("서버 호출을 줄이는 입력 지연", "debounce"),
    ("이미지 크기 줄이기", "dockerfile"),
    ("readinessProbe", "probe"),
    ("고루틴 누수 막기", "context"),
    ("상태 파일 잠금 terraform", "terraform"),
    ("백분위 지연 시간", "prometheus"),
    ("with_context 오류에 문맥 붙이기", "anyhow"),
    ("한글 터미널 표시 너비", "unicode"),
]


def write_corpus(root: Path) -> dict[str, Path]:
    """Save every note under ``root`` as tilgen saves a daily note; ids -> paths."""
    from tilgen.note.store import front_matter

    paths = {}
    for ident, repo, date, topic, keywords, points in NOTES:
        dt.date.fromisoformat(date)
        content = f"# {date} TIL\n\n" + "\n".join(f"- {p}" for p in points) + "\n"
        meta = {"title": f"{date} TIL - {topic}", "keywords": keywords, "date": date,
                "repo": repo}
        path = root / repo / f"{date}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(front_matter(meta) + content, encoding="utf-8")
        paths[ident] = path
    return paths


def mean_reciprocal_rank(search, paths: dict[str, Path], limit: int = 10) -> tuple[float, list]:
    """MRR of ``search(query) -> [path, …]`` over QUERIES, and each query's rank (None: missed)."""
    ranks = []
    for query, ident in QUERIES:
        found = search(query, limit)
        rank = next((i + 1 for i, p in enumerate(found) if p == paths[ident]), None)
        ranks.append((query, ident, rank))
    return sum(1 / r for _, _, r in ranks if r) / len(ranks), ranks
