import Foundation

/// The CI recipes `mediaform init --ci` writes, for a project in any directory of the repository. The files in
/// `examples/ci` are these recipes for a project in `media/` (a test keeps them equal), so there is one source.
public enum CIRecipe: String, Sendable, CaseIterable {
    case github, gitlab

    /// Where the recipe goes, relative to the repository's root.
    public var path: String {
        switch self {
        case .github: ".github/workflows/mediaform.yml"
        case .gitlab: ".gitlab-ci.yml"
        }
    }

    /// The recipe for a project at `directory`, relative to the repository's root (`.` for the root itself).
    public func text(directory: String) -> String {
        let root = directory == "." || directory.isEmpty
        let template: String
        switch self {
        case .github: template = Self.githubTemplate
        case .gitlab: template = Self.gitlabTemplate
        }
        return
            template
            .replacingOccurrences(of: "{{W}}", with: root ? "the repository's root" : directory + "/")
            .replacingOccurrences(of: "{{D}}", with: root ? "." : directory)
            .replacingOccurrences(of: "{{P}}", with: root ? "" : directory + "/")
    }

    static let githubTemplate = #"""
        # mediaform in GitHub Actions: plan on every pull request (posted as a comment), apply on merge.
        # Copy to .github/workflows/mediaform.yml. The media project lives in {{W}} (mediaform.yaml, assets/…),
        # and the local state file {{P}}mediaform.state.json is committed back after each apply.
        name: mediaform

        on:
          pull_request:
            paths: ["{{P}}**"]
          push:
            branches: [main]
            paths: ["{{P}}**"]

        # One apply at a time per branch: the state file is the shared truth.
        concurrency:
          group: mediaform-${{ github.ref }}
          cancel-in-progress: false

        env:
          MEDIAFORM_VERSION: "0.1.0"
          NO_COLOR: "1"

        jobs:
          plan:
            if: github.event_name == 'pull_request'
            runs-on: ubuntu-latest
            container: debian:bookworm-slim
            permissions:
              contents: read
              pull-requests: write
            steps:
              - uses: actions/checkout@v4
              - name: Install mediaform
                run: |
                  # The release archive (Swift runtime inside), verified by its checksum: no toolchain, no build.
                  apt-get update -qq && apt-get install -y -qq libyaml-0-2 libssl3 curl ca-certificates git
                  name="mediaform-${MEDIAFORM_VERSION}-linux-x86_64"
                  base="https://github.com/example/mediaform/releases/download/v${MEDIAFORM_VERSION}"
                  curl -fsSL -o "$name.tar.gz" "$base/$name.tar.gz" -o "$name.tar.gz.sha256" "$base/$name.tar.gz.sha256"
                  sha256sum --check "$name.tar.gz.sha256"
                  tar -xzf "$name.tar.gz" && install "$name/mediaform" /usr/local/bin/mediaform
                  mediaform --version
              - name: Validate
                run: mediaform validate {{D}}
              - name: Plan
                id: plan
                run: |
                  set +e
                  mediaform plan {{D}} --detailed-exitcode --format markdown --out plan.json --html plan.html > plan.md
                  code=$?
                  set -e
                  # 0 = no changes, 2 = changes; anything else is an error.
                  if [ "$code" -ne 0 ] && [ "$code" -ne 2 ]; then exit "$code"; fi
                  echo "changes=$([ "$code" -eq 2 ] && echo true || echo false)" >> "$GITHUB_OUTPUT"
              - name: Comment the plan on the pull request
                uses: actions/github-script@v7
                with:
                  script: |
                    const fs = require('fs');
                    const { owner, repo } = context.repo;
                    // The review page (covers, filters, search) is the plan.html artifact of this run.
                    const run = `${context.serverUrl}/${owner}/${repo}/actions/runs/${context.runId}`;
                    const body = '<!-- mediaform-plan -->\n' + fs.readFileSync('plan.md', 'utf8')
                      + `\n[Review page](${run}#artifacts): covers, filters and every change (artifact mediaform-plan, plan.html).\n`;
                    const issue_number = context.issue.number;
                    const comments = await github.paginate(github.rest.issues.listComments, { owner, repo, issue_number });
                    const previous = comments.find(c => c.body.startsWith('<!-- mediaform-plan -->'));
                    if (previous) {
                      await github.rest.issues.updateComment({ owner, repo, comment_id: previous.id, body });
                    } else {
                      await github.rest.issues.createComment({ owner, repo, issue_number, body });
                    }
              - uses: actions/upload-artifact@v4
                with:
                  name: mediaform-plan
                  path: |
                    plan.json
                    plan.html

          apply:
            if: github.event_name == 'push'
            runs-on: ubuntu-latest
            container: debian:bookworm-slim
            permissions:
              contents: write
            env:
              # A RAM user limited to ice:UploadMediaByURL, ice:GetUrlUploadInfos, ice:UpdateMediaInfo, ice:DeleteMediaInfos.
              ALIBABA_CLOUD_ACCESS_KEY_ID: ${{ secrets.ALIBABA_CLOUD_ACCESS_KEY_ID }}
              ALIBABA_CLOUD_ACCESS_KEY_SECRET: ${{ secrets.ALIBABA_CLOUD_ACCESS_KEY_SECRET }}
            steps:
              - uses: actions/checkout@v4
              - name: Install mediaform
                run: |
                  # The release archive (Swift runtime inside), verified by its checksum: no toolchain, no build.
                  apt-get update -qq && apt-get install -y -qq libyaml-0-2 libssl3 curl ca-certificates git
                  name="mediaform-${MEDIAFORM_VERSION}-linux-x86_64"
                  base="https://github.com/example/mediaform/releases/download/v${MEDIAFORM_VERSION}"
                  curl -fsSL -o "$name.tar.gz" "$base/$name.tar.gz" -o "$name.tar.gz.sha256" "$base/$name.tar.gz.sha256"
                  sha256sum --check "$name.tar.gz.sha256"
                  tar -xzf "$name.tar.gz" && install "$name/mediaform" /usr/local/bin/mediaform
                  mediaform --version
              - name: Apply
                run: mediaform apply {{D}} --auto-approve --wait --timeout 30m
              - name: Commit the state
                if: always()
                run: |
                  git config --global --add safe.directory "$GITHUB_WORKSPACE"
                  git config user.name "mediaform"
                  git config user.email "mediaform@users.noreply.github.com"
                  git add {{P}}mediaform.state.json
                  git diff --cached --quiet || git commit -m "mediaform: update state [skip ci]"
                  git push

        """#

    static let gitlabTemplate = #"""
        # mediaform in GitLab CI: plan on every merge request (posted as a note), apply on the default branch.
        # Copy to .gitlab-ci.yml (or include it). The media project lives in {{W}}, and the local state file
        # {{P}}mediaform.state.json is committed back after each apply (needs a project access token in
        # MEDIAFORM_PUSH_TOKEN with write_repository; the note needs api scope in GITLAB_API_TOKEN).
        stages: [validate, plan, apply]

        variables:
          MEDIAFORM_VERSION: "0.1.0"
          NO_COLOR: "1"

        default:
          image: debian:bookworm-slim
          before_script:
            # The release archive (Swift runtime inside), verified by its checksum: no toolchain, no build.
            - apt-get update -qq && apt-get install -y -qq libyaml-0-2 libssl3 ca-certificates git curl jq
            - name="mediaform-${MEDIAFORM_VERSION}-linux-x86_64"
            - base="https://github.com/example/mediaform/releases/download/v${MEDIAFORM_VERSION}"
            - curl -fsSL -o "$name.tar.gz" "$base/$name.tar.gz" -o "$name.tar.gz.sha256" "$base/$name.tar.gz.sha256"
            - sha256sum --check "$name.tar.gz.sha256"
            - tar -xzf "$name.tar.gz" && install "$name/mediaform" /usr/local/bin/mediaform
            - mediaform --version

        validate:
          stage: validate
          rules:
            - changes: ["{{P}}**/*"]
          script:
            - mediaform validate {{D}}

        plan:
          stage: plan
          rules:
            - if: $CI_PIPELINE_SOURCE == "merge_request_event"
              changes: ["{{P}}**/*"]
          script:
            - |
              set +e
              mediaform plan {{D}} --detailed-exitcode --format markdown --out plan.json --html plan.html > plan.md
              code=$?
              set -e
              if [ "$code" -ne 0 ] && [ "$code" -ne 2 ]; then exit "$code"; fi
            - |
              # The review page (covers, filters, search) is this job's plan.html artifact.
              printf '\n[Review page](%s/artifacts/file/plan.html): covers, filters and every change.\n' "$CI_JOB_URL" >> plan.md
              # One note per merge request, updated on every push: found by the marker on its first line.
              marker='<!-- mediaform-plan -->'
              notes="${CI_API_V4_URL}/projects/${CI_PROJECT_ID}/merge_requests/${CI_MERGE_REQUEST_IID}/notes"
              existing=$(curl --fail --silent --show-error --header "PRIVATE-TOKEN: ${GITLAB_API_TOKEN}" \
                "$notes?per_page=100&sort=asc" | jq -r --arg m "$marker" 'map(select(.body | startswith($m)))[0].id // empty')
              { echo "$marker"; cat plan.md; } > body.md
              jq -n --rawfile body body.md '{body: $body}' > note.json
              if [ -n "$existing" ]; then method=PUT url="$notes/$existing"; else method=POST url="$notes"; fi
              curl --fail --silent --show-error --request "$method" \
                --header "PRIVATE-TOKEN: ${GITLAB_API_TOKEN}" --header "Content-Type: application/json" \
                --data @note.json "$url" >/dev/null
          artifacts:
            paths: [plan.json, plan.md, plan.html]
            expire_in: 1 week

        apply:
          stage: apply
          resource_group: mediaform   # one apply at a time
          rules:
            - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH
              changes: ["{{P}}**/*"]
          variables:
            ALIBABA_CLOUD_ACCESS_KEY_ID: $MEDIAFORM_ACCESS_KEY_ID          # masked, protected CI/CD variables
            ALIBABA_CLOUD_ACCESS_KEY_SECRET: $MEDIAFORM_ACCESS_KEY_SECRET
          script:
            - mediaform apply {{D}} --auto-approve --wait --timeout 30m
          after_script:
            - git config user.name "mediaform" && git config user.email "mediaform@example.com"
            - git add {{P}}mediaform.state.json
            - git diff --cached --quiet || git commit -m "mediaform: update state [skip ci]"
            - git push "https://oauth2:${MEDIAFORM_PUSH_TOKEN}@${CI_SERVER_HOST}/${CI_PROJECT_PATH}.git" "HEAD:${CI_COMMIT_BRANCH}"

        """#
}
