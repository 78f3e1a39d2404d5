//! The resume rule of docs/api.md §4, case by case, over real sockets.

use crate::common::*;
use momento_http_emulator::Emulator;
use std::time::Duration;

#[tokio::test]
async fn a_fresh_topic_numbers_from_one_and_resume_is_inclusive() {
    let env = start().await;
    for m in ["a", "b", "c"] {
        assert_eq!(env.publish("t", m).await, 204);
    }
    let page = env.page("t").await;
    let all = env.poll("t", 1, 0).await;
    assert_eq!(
        all,
        vec![
            El::Item(1, page, "a".into()),
            El::Item(2, page, "b".into()),
            El::Item(3, page, "c".into())
        ]
    );
    assert_eq!(items(&env.poll("t", 2, page).await), vec![2, 3]);
}

#[tokio::test]
async fn caught_up_polls_wait_then_answer_an_empty_batch() {
    let env = start().await;
    env.publish("t", "a").await;
    let page = env.page("t").await;
    let started = std::time::Instant::now();
    assert!(env.poll("t", 2, page).await.is_empty());
    assert!(started.elapsed() >= Duration::from_millis(150));
}

#[tokio::test]
async fn a_waiting_poll_gets_the_next_publish() {
    let env = start_with(Emulator::builder().long_poll_wait(Duration::from_secs(5))).await;
    env.publish("t", "a").await;
    let page = env.page("t").await;
    let (got, _) = tokio::join!(env.poll("t", 2, page), async {
        tokio::time::sleep(Duration::from_millis(100)).await;
        env.publish("t", "b").await
    });
    assert_eq!(got, vec![El::Item(2, page, "b".into())]);
}

#[tokio::test]
async fn sequence_number_zero_means_from_now_on() {
    let env = start().await;
    env.publish("t", "old").await;
    assert!(env.poll("t", 0, 0).await.is_empty());
    let env = start_with(Emulator::builder().long_poll_wait(Duration::from_secs(5))).await;
    env.publish("t", "old").await;
    let (got, _) = tokio::join!(env.poll("t", 0, 0), async {
        tokio::time::sleep(Duration::from_millis(100)).await;
        env.publish("t", "new").await
    });
    assert_eq!(items(&got), vec![2]);
}

#[tokio::test]
async fn a_stale_page_gets_a_discontinuity_to_the_new_instance() {
    let env = start().await;
    env.publish("t", "a").await;
    let old = env.page("t").await;
    let new = env.admin.reset_topic("c", "t").await.unwrap().sequence_page;
    assert_ne!(new, old);
    env.publish("t", "b").await;
    assert_eq!(
        env.poll("t", 2, old).await,
        vec![
            El::Disc {
                last: 1,
                new: 1,
                page: new
            },
            El::Item(1, new, "b".into())
        ]
    );
}

#[tokio::test]
async fn evicted_numbers_get_a_discontinuity_then_the_oldest_kept() {
    let env = start().await;
    for m in ["a", "b", "c"] {
        env.publish("t", m).await;
    }
    let page = env.page("t").await;
    let state = env.admin.evict_messages("c", "t", 2).await.unwrap();
    assert_eq!(state.buffered, 1);
    assert_eq!(
        env.poll("t", 1, page).await,
        vec![
            El::Disc {
                last: 0,
                new: 3,
                page
            },
            El::Item(3, page, "c".into())
        ]
    );
}

#[tokio::test]
async fn the_bounded_buffer_evicts_the_oldest() {
    let env = start_with(Emulator::builder().topic_buffer(3)).await;
    for i in 1..=5 {
        env.publish("t", &i.to_string()).await;
    }
    let page = env.page("t").await;
    let got = env.poll("t", 1, page).await;
    assert_eq!(
        got[0],
        El::Disc {
            last: 0,
            new: 3,
            page
        }
    );
    assert_eq!(items(&got), vec![3, 4, 5]);
}

#[tokio::test]
async fn a_future_number_gets_a_discontinuity() {
    let env = start().await;
    env.publish("t", "a").await;
    let page = env.page("t").await;
    let got = env.poll("t", 10, page).await;
    assert_eq!(
        got[0],
        El::Disc {
            last: 9,
            new: 1,
            page
        }
    );
}

#[tokio::test]
async fn idle_topics_expire_and_come_back_with_a_new_page() {
    let env = start_with(Emulator::builder().topic_idle_expiry(Duration::from_millis(200))).await;
    env.publish("t", "a").await;
    let old = env.page("t").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    env.publish("t", "b").await;
    let new = env.page("t").await;
    assert_ne!(old, new);
    assert_eq!(
        env.poll("t", 2, old).await,
        vec![
            El::Disc {
                last: 1,
                new: 1,
                page: new
            },
            El::Item(1, new, "b".into())
        ]
    );
}

#[tokio::test]
async fn a_hundred_concurrent_subscribers_see_identical_numbering() {
    let env = std::sync::Arc::new(
        start_with(Emulator::builder().long_poll_wait(Duration::from_secs(2))).await,
    );
    env.publish("t", "first").await;
    let page = env.page("t").await;
    let mut tasks = Vec::new();
    for _ in 0..100 {
        let env = env.clone();
        tasks.push(tokio::spawn(async move {
            let mut seen = Vec::new();
            let (mut n, mut p) = (1, page);
            while seen.len() < 20 {
                for e in env.poll("t", n, p).await {
                    match e {
                        El::Item(s, pg, text) => {
                            seen.push((s, text));
                            n = s + 1;
                            p = pg;
                        }
                        El::Disc { .. } => panic!("unexpected discontinuity"),
                    }
                }
            }
            seen
        }));
    }
    for i in 2..=20 {
        env.publish("t", &format!("m{i}")).await;
    }
    let mut results = Vec::new();
    for t in tasks {
        results.push(tokio::time::timeout(BOUND, t).await.unwrap().unwrap());
    }
    assert_eq!(results[0].len(), 20);
    assert!(results.iter().all(|r| r == &results[0]));
    assert_eq!(
        results[0].iter().map(|(s, _)| *s).collect::<Vec<_>>(),
        (1..=20).collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn shutdown_answers_waiting_long_polls() {
    let env = start_with(Emulator::builder().long_poll_wait(Duration::from_secs(30))).await;
    let url = env.topic_url("c", "t");
    let key = env.key.clone();
    let http = env.http.clone();
    let poll = tokio::spawn(async move {
        http.get(url)
            .header("authorization", key)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    tokio::time::timeout(BOUND, env.emu.shutdown())
        .await
        .unwrap();
    let body = tokio::time::timeout(BOUND, poll).await.unwrap().unwrap();
    assert_eq!(body, r#"{"items":[]}"#);
}

#[tokio::test]
async fn sequence_number_zero_ignores_a_stale_page() {
    let env = start().await;
    env.publish("t", "a").await;
    let old = env.page("t").await;
    env.admin.reset_topic("c", "t").await.unwrap();
    assert!(env.poll("t", 0, old).await.is_empty());
}
