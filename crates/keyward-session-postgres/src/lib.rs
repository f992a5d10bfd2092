//! The Postgres store for [`keyward_session`] (in progress: the API commit carries the SQLite
//! store first).
