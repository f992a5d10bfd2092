//! The keyward-session conformance suite on Postgres: one throwaway cluster for this test
//! binary, a fresh database per case.

use keyward_session::testing::StoreFactory;
use keyward_session_postgres::PostgresStore;
use keyward_session_postgres::testing::TestCluster;

struct Factory;

impl StoreFactory for Factory {
    type Store = PostgresStore;

    async fn fresh(&self) -> PostgresStore {
        let cluster = TestCluster::shared().expect("checked by available()");
        // Enough connections for the races to run concurrently on the server.
        PostgresStore::connect_with_pool_size(&cluster.fresh_database().await, 24)
            .await
            .expect("connect")
    }

    fn available(&self) -> bool {
        TestCluster::shared().is_some()
    }
}

keyward_session::conformance_tests!(Factory);
