import { PageHeader } from '../components/page-header';

export function ComparePage() {
  return <PageHeader title="compare" description="not built yet" />;
}
