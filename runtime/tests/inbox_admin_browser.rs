//! The inbox page in a real browser: headless Chromium, driven through ChromeDriver (WebDriver),
//! against the page served on loopback over a real SQLite inbox holding pending, retrying and
//! dead events. It signs in with the token, reads the counts, opens the dead event, finds its
//! `<script>` body shown as text (and not run), clicks "Retry now", and checks the inbox changed.
//!
//! Needs Debian's `chromium` and `chromium-driver` (`.ci/run` installs them). Without
//! `chromedriver` on the `PATH` the test says so and stops, unless `STRIPE_NOTIFY_REQUIRE_BROWSER`
//! is set (as in CI), when it fails. With `STRIPE_NOTIFY_SCREENSHOTS=<dir>` it saves screenshots
//! of the pages there (the README's comes from it).

mod support;

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use stripe_notify_runtime::inbox::{Inbox, State};
use stripe_notify_runtime::inbox_admin::InboxAdmin;
use support::admin::{TOKEN, seeded_inbox, serve};

/// ChromeDriver on a free loopback port, stopped when dropped.
struct Driver {
    process: Child,
    url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

/// Starts ChromeDriver, or `None` (the test says so) where it is not installed and not required.
fn chromedriver() -> Option<Driver> {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let process = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
    let process = match process {
        Ok(process) => process,
        Err(_) if std::env::var_os("STRIPE_NOTIFY_REQUIRE_BROWSER").is_some() => {
            panic!("STRIPE_NOTIFY_REQUIRE_BROWSER is set but chromedriver cannot be started")
        }
        Err(_) => {
            eprintln!(
                "\n*** SKIPPED: install chromium and chromium-driver to test the inbox page in a browser ***\n"
            );
            return None;
        }
    };
    let driver = Driver {
        process,
        url: format!("http://127.0.0.1:{port}"),
    };
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "chromedriver did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    Some(driver)
}

/// A headless Chromium session.
async fn browser(driver: &Driver) -> Client {
    let options = serde_json::json!({
        "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--window-size=1200,820"],
    });
    let capabilities = serde_json::Map::from_iter([("goog:chromeOptions".to_owned(), options)]);
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(capabilities)
        .connect(&driver.url)
        .await
        .expect("a Chromium session")
}

/// The text of the element `css` selects, once the page shows one: a click that submits a form
/// returns before the page it leads to has loaded.
async fn text(browser: &Client, css: &str) -> String {
    browser
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|error| panic!("no {css} on the page: {error}"))
        .text()
        .await
        .unwrap()
}

/// Waits until the browser is at a URL containing `part` (after a click that navigates).
async fn arrive(browser: &Client, part: &str) {
    let started = Instant::now();
    loop {
        let url = browser.current_url().await.unwrap();
        if url.as_str().contains(part) {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "at {url}, not {part}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Saves a screenshot as `name` in `STRIPE_NOTIFY_SCREENSHOTS`, if set.
async fn screenshot(browser: &Client, name: &str) {
    if let Some(dir) = std::env::var_os("STRIPE_NOTIFY_SCREENSHOTS") {
        std::fs::create_dir_all(&dir).unwrap();
        let png = browser.screenshot().await.unwrap();
        std::fs::write(std::path::Path::new(&dir).join(name), png).unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operator_signs_in_reads_a_dead_event_and_retries_it() {
    let Some(driver) = chromedriver() else {
        return;
    };
    let inbox: Arc<dyn Inbox> = seeded_inbox().await;
    let admin = InboxAdmin::new(Arc::clone(&inbox)).bearer_token(TOKEN).unwrap();
    let root = serve(admin.router()).await;
    let browser = browser(&driver).await;

    // Without the token: the sign-in page, and no event.
    browser
        .goto(&format!("{root}/inbox/events/evt_dead_1"))
        .await
        .unwrap();
    assert!(browser.title().await.unwrap().starts_with("Sign in"));
    assert!(!browser.source().await.unwrap().contains("evt_dead_1"));
    // A wrong token is refused; the right one lands on the inbox.
    let sign_in = |token: &'static str| {
        let browser = browser.clone();
        async move {
            let field = browser.find(Locator::Css("input[name=token]")).await.unwrap();
            field.send_keys(token).await.unwrap();
            browser
                .find(Locator::Css("form.sign-in button"))
                .await
                .unwrap()
                .click()
                .await
                .unwrap();
        }
    };
    sign_in("not-the-token-at-all").await;
    assert_eq!(text(&browser, "p.notice.bad").await, "That is not the token.");
    sign_in(TOKEN).await;
    text(&browser, "nav.counts").await;
    assert_eq!(browser.current_url().await.unwrap().path(), "/inbox");

    // The counts, and the dead listed first.
    let counts = text(&browser, "nav.counts").await;
    for count in ["2 pending", "1 retrying", "0 processing", "0 done", "1 dead"] {
        assert!(counts.contains(count), "{count} in {counts}");
    }
    assert!(text(&browser, "p.oldest").await.starts_with("Oldest due: "));
    assert_eq!(
        text(&browser, "table.events tbody tr td.error").await,
        "the CRM answered 502 <i>twice</i>"
    );
    screenshot(&browser, "inbox-page.png").await;

    // Filtered by state and type through the form.
    let state = browser
        .find(Locator::Css("form.filter select[name=state]"))
        .await
        .unwrap();
    state.select_by_value("pending").await.unwrap();
    let event_type = browser
        .find(Locator::Css("form.filter input[name=type]"))
        .await
        .unwrap();
    event_type.send_keys("charge.failed").await.unwrap();
    browser
        .find(Locator::Css("form.filter button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    arrive(&browser, "type=charge.failed").await;
    let listed = text(&browser, "table.events tbody").await;
    assert!(
        listed.contains("evt_pending_2") && !listed.contains("evt_pending_1"),
        "{listed}"
    );

    // The dead event: its body's markup is text, and its script never ran.
    browser.goto(&format!("{root}/inbox?state=dead")).await.unwrap();
    browser
        .find(Locator::LinkText("evt_dead_1"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let body = text(&browser, "pre.body").await;
    assert_eq!(
        browser.current_url().await.unwrap().path(),
        "/inbox/events/evt_dead_1"
    );
    assert!(
        body.contains(r#""note": "<script>document.title='pwned'</script><b>bold</b>""#),
        "{body}"
    );
    assert!(
        browser.title().await.unwrap().starts_with("evt_dead_1"),
        "the script did not run"
    );
    let scripts = browser.find_all(Locator::Css("script, b")).await.unwrap();
    assert!(scripts.is_empty(), "no element came from the body");
    screenshot(&browser, "inbox-event.png").await;

    // Retry: the page says so, and the store has it pending, attempts reset.
    browser
        .find(Locator::Css("form button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert_eq!(text(&browser, "p.notice").await, "1 event due now.");
    assert_eq!(text(&browser, "dd.state").await, "pending");
    let event = inbox.event("evt_dead_1").await.unwrap().unwrap();
    assert_eq!((event.summary.state, event.summary.attempts), (State::Pending, 0));
    assert_eq!(inbox.stats().await.unwrap().count(State::Dead), 0);

    browser.close().await.unwrap();
}
