//! What only the Postgres store has: migrations under concurrency, and two "replicas" (two
//! stores, each with its own pool) on one database.

use keyward_session::testing::{Harness, client, unique};
use keyward_session::{SessionError, StoreErrorKind};
use keyward_session_postgres::PostgresStore;
use keyward_session_postgres::testing::{TestCluster, connect_retrying};

/// Four replicas starting together on a new database migrate it once, and all connect.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn replicas_starting_together_migrate_once() {
    let Some(cluster) = TestCluster::shared() else {
        return;
    };
    let url = cluster.fresh_database().await;
    let starts = (0..4).map(|_| {
        let url = url.clone();
        async move { PostgresStore::connect_with_pool_size(&url, 2).await }
    });
    for store in futures_join(starts).await {
        store.unwrap();
    }
    let client = connect_retrying(&url).await;
    let steps: i64 = client
        .query_one("SELECT steps FROM keyward_session_schema", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(steps, 1);
    let rows: i64 = client
        .query_one("SELECT count(*) FROM keyward_session_schema", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(rows, 1);
}

/// A database migrated by a newer version is refused, not downgraded.
#[tokio::test]
async fn a_newer_schema_is_refused() {
    let Some(cluster) = TestCluster::shared() else {
        return;
    };
    let url = cluster.fresh_database().await;
    PostgresStore::connect_with_pool_size(&url, 1)
        .await
        .unwrap();
    connect_retrying(&url)
        .await
        .execute("UPDATE keyward_session_schema SET steps = steps + 1", &[])
        .await
        .unwrap();
    match PostgresStore::connect_with_pool_size(&url, 1).await {
        Err(SessionError::Store(error)) => assert_eq!(error.kind(), StoreErrorKind::Migration),
        other => panic!("wanted a migration error, got {other:?}"),
    }
}

/// Two replicas (separate pools) race 200 exchanges of one token, 100 each: exactly one
/// rotates, and the reuse the others report revokes the winner's successor.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_replicas_race_one_refresh_token() {
    let Some(cluster) = TestCluster::shared() else {
        return;
    };
    let url = cluster.fresh_database().await;
    let one = Harness::new(
        PostgresStore::connect_with_pool_size(&url, 12)
            .await
            .unwrap(),
    );
    let two = Harness::new(
        PostgresStore::connect_with_pool_size(&url, 12)
            .await
            .unwrap(),
    );
    let account = one.account(&unique("replicas"), "a password").await;
    for round in 0..10 {
        let started = one.sessions.start(&account, &client()).await.unwrap();
        let presented = started.refresh_token().expose_secret().to_owned();
        let racers = (0..200).map(|n| {
            let sessions = if n % 2 == 0 {
                one.sessions.clone()
            } else {
                two.sessions.clone()
            };
            let presented = presented.clone();
            async move { sessions.exchange(&presented).await }
        });
        let results = futures_join(racers).await;
        let winners: Vec<_> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
        assert_eq!(winners.len(), 1, "round {round}");
        assert!(
            results
                .iter()
                .any(|r| matches!(r, Err(SessionError::RefreshReused { .. }))),
            "round {round}: no reuse reported"
        );
        let successor = two
            .sessions
            .exchange(winners[0].refresh_token().expose_secret())
            .await;
        assert!(
            matches!(successor, Err(SessionError::RefreshRefused)),
            "round {round}: {successor:?}"
        );
    }
}

/// Runs futures concurrently, each on its own task (so on several threads).
async fn futures_join<F>(futures: impl IntoIterator<Item = F>) -> Vec<F::Output>
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    let handles: Vec<_> = futures.into_iter().map(tokio::spawn).collect();
    let mut outputs = Vec::with_capacity(handles.len());
    for handle in handles {
        outputs.push(handle.await.expect("task"));
    }
    outputs
}
