//! Runs the sandbox's fake Slack Web API on loopback until Ctrl-C, printing its base URL on the first line.
//! Used by `scripts/bench-ingress.sh` to put a Slack stand-in behind a real `tandem serve`.

#[tokio::main]
async fn main() -> std::process::ExitCode {
    use tandem::sandbox::{FakeSlack, SANDBOX_APP_TOKEN, SANDBOX_BOT_TOKEN};
    let fake = match FakeSlack::start(SANDBOX_BOT_TOKEN, SANDBOX_APP_TOKEN).await {
        Ok(f) => f,
        Err(e) => {
            eprintln!("fake_slack: cannot start: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    println!("{}", fake.api_url());
    let _ = tokio::signal::ctrl_c().await;
    std::process::ExitCode::SUCCESS
}
