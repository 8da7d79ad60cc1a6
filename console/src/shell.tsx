import { Suspense, useEffect, useRef, useState } from 'react';
import { OrgTeamNamesDocument } from './generated/graphql';
import { Link, useRoute } from './router';
import { SCREENS } from './screens';
import { useQuery } from './use-query';
import { Viewer, viewerContext, type ViewerData } from './viewer';

/** The signed-in frame: header, the navigation the viewer may use, and the current screen. */
export function Shell({ viewer, signOut }: { viewer: ViewerData; signOut: () => void }) {
  const orgAdmin = viewer.roles.includes('ORG_ADMIN');
  const orgTeams = useQuery(OrgTeamNamesDocument, {}, !orgAdmin);
  const teams = orgAdmin ? (orgTeams.data?.teams ?? []) : viewer.memberships.map((m) => m.team);
  const [teamId, setTeamId] = useState<string>();
  const context = viewerContext(viewer, teams, teamId);
  const route = useRoute();
  const screens = SCREENS.filter((s) => s.allowed(context));
  const screen = SCREENS.find((s) => s.route === route);
  const main = useRef<HTMLElement>(null);
  // Keyboard and screen-reader users land on the new screen, not on the link they left.
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    main.current?.focus();
  }, [route]);

  return (
    <Viewer.Provider value={context}>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <span className="brand">Modelgraph</span>
        {teams.length > 1 ? (
          <label className="team">
            Team{' '}
            <select value={context.team?.id} onChange={(e) => setTeamId(e.target.value)}>
              {teams.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.name}
                </option>
              ))}
            </select>
          </label>
        ) : (
          <span className="team">{context.team?.name ?? 'Organization'}</span>
        )}
        <button type="button" onClick={signOut}>
          Sign out
        </button>
      </header>
      <nav aria-label="Console">
        <ul>
          {screens.map((s) => (
            <li key={s.route}>
              <Link to={s.route} aria-current={s.route === route ? 'page' : undefined}>
                {s.label}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" ref={main} tabIndex={-1} className="page">
        {!screen ? (
          <NotAvailable title="Page not found" />
        ) : !screen.allowed(context) ? (
          <NotAvailable title="Not available" reason="Your key or role does not allow this page." />
        ) : (
          <Suspense fallback={<p aria-busy="true">Loading…</p>}>
            <screen.component key={context.team?.id} />
          </Suspense>
        )}
      </main>
    </Viewer.Provider>
  );
}

function NotAvailable({ title, reason }: { title: string; reason?: string }) {
  return (
    <>
      <h1>{title}</h1>
      {reason && <p role="alert">{reason}</p>}
      <p>
        <Link to="">Back to the models</Link>
      </p>
    </>
  );
}
